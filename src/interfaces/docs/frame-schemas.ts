import { schemaOf } from '../../application/wire/codec-schema.js';
import { object, type JsonSchema } from '../../application/wire/json-schema.js';
import { Ref } from '../../application/wire/primitives.js';
import { serverFrames, type ServerFrameAction } from '../../application/wire/server-frames.js';
import { position } from './wire-schemas.js';

export const SERVER_FRAME_ACTIONS = Object.keys(serverFrames) as readonly ServerFrameAction[];

interface SpecShape {
  readonly summary: string;
  readonly data: Parameters<typeof schemaOf>[0];
  readonly positionless?: true;
  readonly ref?: 'required' | 'optional';
}

/** The whole frame of `action`, from its codec: `action`, `data`, `position` when it comes from a stored event, `ref` when it answers a frame that had one. */
export const frameSchema = (action: ServerFrameAction): JsonSchema => {
  const spec: SpecShape = serverFrames[action];
  const data = schemaOf(spec.data);
  const ref: Record<string, JsonSchema> =
    spec.ref === undefined ? {} : { ref: { ...schemaOf(Ref), description: 'the `ref` of the client frame this answers' } };
  const optional = spec.ref === 'optional' ? ['ref'] : [];
  return spec.positionless === true
    ? object({ action: { const: action }, ...ref, data }, optional, spec.summary)
    : object(
        { action: { const: action }, ...ref, data, position: position('the event’s position (frames from stored events)') },
        ['position', ...optional],
        spec.summary,
      );
};

export const frameSummary = (action: ServerFrameAction): string => serverFrames[action].summary;
