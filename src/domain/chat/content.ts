export const MAX_CONTENT_LENGTH = 256;

/** Content is stored trimmed; 1–256 characters (code points) after trimming. */
export const normaliseContent = (raw: string): string | undefined => {
  const trimmed = raw.trim();
  const length = [...trimmed].length;
  return length >= 1 && length <= MAX_CONTENT_LENGTH ? trimmed : undefined;
};
