import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { actionDataCodecs, Envelope, isActionName, type ClientAction } from './action-codecs.js';

export type DecodeResult = { readonly ok: true; readonly value: ClientAction } | { readonly ok: false; readonly reason: string };

/** Text frame → typed action, or the reason it is BAD_DATA. */
export const decodeFrame = (text: string): DecodeResult => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'unparsable JSON' };
  }
  const envelope = Envelope.decode(json);
  if (isLeft(envelope)) return { ok: false, reason: 'expected {"action": string, "data": object}' };
  const { action, data } = envelope.right;
  if (!isActionName(action)) return { ok: false, reason: `unknown action ${JSON.stringify(action).slice(0, 60)}` };
  const decoded = actionDataCodecs[action].decode(data);
  if (isLeft(decoded)) return { ok: false, reason: `${action}: ${PathReporter.report(decoded).join('; ').slice(0, 200)}` };
  // The codec chosen by `action` decoded `data`, so the pair is that member of the union.
  return { ok: true, value: { action, data: decoded.right } as ClientAction };
};
