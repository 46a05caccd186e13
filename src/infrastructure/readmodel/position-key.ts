import type { Position } from '../../application/ports/event-store.js';

// 20 digits hold any unsigned 64-bit position; fixed width makes string order = numeric order.
const pad = (n: bigint | number, width: number): string => n.toString().padStart(width, '0');

/** A position as a fixed-width string: ordered like `comparePositions` when compared as strings. */
export const positionKey = (p: Position): string => `${pad(p.commit, 20)}.${pad(p.prepare, 20)}`;

/**
 * The order of one change of one event in the log: the event's position, then the change's
 * index within that event. Read models record it to break ties in "newest first" orders and
 * (MongoDB) to skip a change a document already reflects.
 */
export const changeKey = (p: Position, index: number): string => `${positionKey(p)}.${pad(index, 6)}`;
