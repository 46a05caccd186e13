import type { Frame } from '../../application/broadcast/frames.js';

/** A frame and its text, serialised once for every socket that gets it. */
export interface SerialisedFrame {
  readonly frame: Frame;
  readonly text: string;
}

export const serialised = (frame: Frame): SerialisedFrame => ({ frame, text: JSON.stringify(frame) });
