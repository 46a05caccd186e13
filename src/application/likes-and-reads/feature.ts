import type { Feature } from '../shared/feature.js';
import { likes } from './likes.js';
import { reads } from './reads.js';

/** Likes and read marks on a chat's messages. */
export const likesAndReads = {
  actions: { ...likes.actions, ...reads.actions },
  projections: { ...likes.projections, ...reads.projections },
  frames: { ...likes.frames, ...reads.frames },
  describe: { ...likes.describe, ...reads.describe },
} satisfies Feature;
