import { schemaOf } from '../../application/wire/codec-schema.js';
import { object, type JsonSchema } from '../../application/wire/json-schema.js';
import { serverFrames, type ServerFrameAction } from '../../application/wire/server-frames.js';
import { position } from './wire-schemas.js';

export const SERVER_FRAME_ACTIONS = Object.keys(serverFrames) as readonly ServerFrameAction[];

/** The whole frame of `action`, from its codec: `action`, `data`, and `position` when it comes from a stored event. */
export const frameSchema = (action: ServerFrameAction): JsonSchema => {
  const spec: { readonly summary: string; readonly data: Parameters<typeof schemaOf>[0]; readonly positionless?: true } = serverFrames[action];
  const data = schemaOf(spec.data);
  return spec.positionless === true
    ? object({ action: { const: action }, data }, [], spec.summary)
    : object({ action: { const: action }, data, position: position('the event’s position (frames from stored events)') }, ['position'], spec.summary);
};

export const frameSummary = (action: ServerFrameAction): string => serverFrames[action].summary;
