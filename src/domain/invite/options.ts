import * as t from 'io-ts';

/** Pong game options with every field present, as stored; the wire accepts any subset and defaults the rest. */
export const GameOptionsCodec = t.readonly(
  t.type({
    game_speed: t.keyof({ slow: null, medium: null, fast: null }),
    ranked: t.boolean,
    cool_mode: t.boolean,
    score_to_win: t.number,
    time_limit: t.number,
  }),
);
export type GameOptions = t.TypeOf<typeof GameOptionsCodec>;

export const DEFAULT_GAME_OPTIONS: GameOptions = {
  game_speed: 'medium',
  ranked: false,
  cool_mode: false,
  score_to_win: 5,
  time_limit: 3,
};

export const withDefaults = (partial: Partial<GameOptions>): GameOptions => ({ ...DEFAULT_GAME_OPTIONS, ...partial });
