/** The shape of `.bench/results-<timestamp>.json`: every figure of a run. */
import type { ConnectResult, SetupResult } from './load-protocol.js';
import type { LongChatResult } from './long-chat.js';
import type { LongInvitesResult } from './long-invites.js';
import type { MeasuredPhase } from './load-driver.js';
import type { Machine } from './machine.js';
import type { Options } from './options.js';
import type { PresenceStormResult } from './presence-storm.js';
import type { ProfileResult } from './profile-run.js';
import type { ReplayResult } from './replay-bench.js';
import type { RampResult } from './scenario-b-ramp.js';
import type { IdleResult } from './scenario-c-idle.js';
import type { ReplayCliResult } from './scenario-d-replay.js';
import type { LongLogResult } from './scenario-f3-long-log.js';
import type { SdkResult } from './scenario-h-sdk.js';
import type { Goal } from './table.js';

/** What was measured against one target, the service or the baseline relay. */
export interface TargetResults {
  setup?: SetupResult;
  connect?: ConnectResult;
  latency?: MeasuredPhase;
  rest?: MeasuredPhase;
  /** The same REST reads with no message load, for reference. */
  restIdle?: MeasuredPhase;
  ramp?: RampResult;
  idle?: IdleResult;
  idleDistinct?: IdleResult;
  error?: string;
}

export interface Results {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly command: string;
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly options: Options;
  readonly notes: readonly string[];
  readonly service: TargetResults;
  readonly baseline: TargetResults;
  readonly replay?: ReplayResult;
  readonly replayCli?: ReplayCliResult;
  readonly profile?: ProfileResult;
  readonly longLog?: LongLogResult;
  readonly longChat?: LongChatResult;
  readonly longInvites?: LongInvitesResult;
  readonly storm?: readonly PresenceStormResult[];
  readonly sdk?: SdkResult;
  readonly goals: readonly Goal[];
}
