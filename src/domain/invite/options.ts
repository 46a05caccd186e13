/** Pong game options with every field present; the wire accepts any subset and defaults the rest. */
export interface GameOptions {
  readonly game_speed: 'slow' | 'medium' | 'fast';
  readonly ranked: boolean;
  readonly cool_mode: boolean;
  readonly score_to_win: number;
  readonly time_limit: number;
}

export const DEFAULT_GAME_OPTIONS: GameOptions = {
  game_speed: 'medium',
  ranked: false,
  cool_mode: false,
  score_to_win: 5,
  time_limit: 3,
};

export const withDefaults = (partial: Partial<GameOptions>): GameOptions => ({ ...DEFAULT_GAME_OPTIONS, ...partial });
