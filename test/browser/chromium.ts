import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Chromium binary for the browser tests: `CHROMIUM_PATH`, else `chromium` on the PATH (Debian's package). */
export const findChromium = (): string | undefined => {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'chromium'))];
  return candidates.find((path): path is string => {
    if (path === undefined || path === '') return false;
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
};
