import jwt from 'jsonwebtoken';

export type DevTokenInput = {
  secret: string;
  userId: string;
  username: string;
  nickname?: string | undefined;
  avatar?: string | undefined;
  expiresInSeconds: number;
};

/** HS256 token for development and tests; production tokens come from the real issuer. */
export const signDevToken = (input: DevTokenInput): string => {
  const { secret, userId, username, nickname, avatar, expiresInSeconds } = input;
  const claims: Record<string, string> = { username };
  if (nickname !== undefined) claims['nickname'] = nickname;
  if (avatar !== undefined) claims['avatar'] = avatar;
  return jwt.sign(claims, secret, { algorithm: 'HS256', subject: userId, expiresIn: expiresInSeconds });
};
