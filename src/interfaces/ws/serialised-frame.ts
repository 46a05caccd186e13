import type { ServerFrame } from '../../application/wire/server-frames.js';

/** A frame and its text, serialised once for every socket that gets it. */
export interface SerialisedFrame {
  readonly frame: ServerFrame;
  readonly text: string;
}

export const serialised = (frame: ServerFrame): SerialisedFrame => ({ frame, text: JSON.stringify(frame) });
