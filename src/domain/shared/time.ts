/** ISO 8601 UTC instants compared as epoch milliseconds; commands carry the time they were handled. */
export const ms = (iso: string): number => Date.parse(iso);

export const addMs = (iso: string, delta: number): string => new Date(Date.parse(iso) + delta).toISOString();
