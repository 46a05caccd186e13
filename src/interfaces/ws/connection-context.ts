import type { Logger } from 'pino';
import type { ProfileDirectory } from '../../application/users/profile-directory.js';
import type { CommandDeps } from '../../application/shared/deps.js';
import type { LogProcessor } from '../../application/log/log-processor.js';
import type { PositionTracker } from '../../application/log/position-tracker.js';
import type { WsMetrics } from '../metrics/service-metrics.js';
import type { Hub } from './hub.js';

export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly rateWarnings: number;
  readonly activityThrottleMs: number;
  /** Frames received but not yet handled; past this the client is flooding (1008). */
  readonly maxQueuedFrames: number;
  /** A resume with more frames than this gets `resync_required` instead. */
  readonly resumeMaxFrames: number;
  /** How long an `ack` with a `position` waits for the broadcaster to have sent that position's frames. */
  readonly ackWaitMs: number;
}

/** The largest frame a client may send (the transport's bound: larger closes with 1009). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** What every connection of a gateway shares: the command side, the log, the hub and the figures. */
export interface ConnectionContext {
  readonly deps: CommandDeps;
  /** The log's bounded passes (a resume's backlog). */
  readonly log: LogProcessor;
  readonly profiles: ProfileDirectory;
  readonly hub: Hub;
  readonly broadcasterTracker: PositionTracker;
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  readonly metrics?: WsMetrics;
}

export interface Identity {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly expiresAt: number;
}
