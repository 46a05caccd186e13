import type { Position } from '../ports/event-store.js';
import type { Delivery } from './delivery.js';
import { comparePositions, formatPosition, parsePosition } from '../ports/position.js';

/**
 * Where a frame stands in the stream of frames: the event's log position and, when that event
 * gave several frames, the frame's index among them. A bare event position (`index` undefined)
 * stands after every frame of that event, so "resume after 123" and "resume after 123.1" both
 * mean exactly what a client that last saw them needs.
 */
export interface FramePosition {
  readonly at: Position;
  readonly index?: number;
}

const MAX_INDEX = 1000;

/** "123", "123-456", or "123.2" / "123-456.2" for the third frame of a multi-frame event. */
export const formatFramePosition = (p: FramePosition): string => (p.index === undefined ? formatPosition(p.at) : `${formatPosition(p.at)}.${p.index}`);

export const parseFramePosition = (s: string): FramePosition | undefined => {
  const dot = s.indexOf('.');
  const at = parsePosition(dot === -1 ? s : s.slice(0, dot));
  if (at === undefined) return undefined;
  if (dot === -1) return { at };
  const rest = s.slice(dot + 1);
  if (!/^\d{1,4}$/.test(rest)) return undefined;
  const index = Number(rest);
  return index < MAX_INDEX ? { at, index } : undefined;
};

export const compareFramePositions = (a: FramePosition, b: FramePosition): number => {
  const byEvent = comparePositions(a.at, b.at);
  if (byEvent !== 0) return byEvent;
  const ai = a.index ?? Number.POSITIVE_INFINITY;
  const bi = b.index ?? Number.POSITIVE_INFINITY;
  return ai < bi ? -1 : ai > bi ? 1 : 0;
};

/** The frame labels of one event with `count` frames: its bare position when it has one frame. */
export const frameLabels = (at: Position, count: number): readonly string[] => {
  if (count <= 1) return [formatPosition(at)];
  return Array.from({ length: count }, (_, index) => formatFramePosition({ at, index }));
};

/**
 * Gives each frame of an event its own position when the event gave several (`game_accepted`
 * then `game_found`), so a client cut off between them resumes from the one it last received.
 */
export const withFramePositions = (deliveries: readonly Delivery[], at: Position): readonly Delivery[] => {
  // A frame sent to several groups (presence to each contact) is one frame: it keeps one position.
  const frames = [...new Set(deliveries.flatMap((d) => (d.kind === 'send' ? [d.frame] : [])))];
  if (frames.length <= 1) return deliveries;
  const labels = frameLabels(at, frames.length);
  const labelled = new Map(frames.map((f, i) => [f, { ...f, position: labels[i] }]));
  return deliveries.map((d) => (d.kind === 'send' ? { ...d, frame: labelled.get(d.frame) ?? d.frame } : d));
};
