const NAME = '[A-Za-z0-9_.-]{1,50}';

/** A username: 1–50 letters, digits, `_`, `-` or `.` (the wire's, the tokens' and the REST paths' one rule). */
export const USERNAME_PATTERN = `^${NAME}$`;

/** A username as shown for another user: empty once that user gave it up to another. */
export const SHOWN_USERNAME_PATTERN = `^(?:${NAME})?$`;

const USERNAME = new RegExp(USERNAME_PATTERN);

export const isUsername = (s: string): boolean => USERNAME.test(s);

/** Who a user is, as tokens present them and frames show them: the one identity shape. */
export interface UserIdentity {
  /** The `sub` of the user's tokens. */
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}
