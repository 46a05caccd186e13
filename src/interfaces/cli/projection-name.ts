/**
 * The read models' projection (checkpoint) name, as `READ_MODEL_PROJECTION` in service.ts.
 * The tools take it from here so that they need not load the whole service (express, ws,
 * agenda: half a second of start-up per run); a test keeps the two equal.
 */
export const READ_MODEL_PROJECTION = 'read-models';
