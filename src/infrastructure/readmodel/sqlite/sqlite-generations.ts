import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { OpenGenerationOptions, ReadModelGenerations } from '../../../application/ports/read-model-generations.js';
import type { ReadModelStore } from '../../../application/ports/read-model.js';
import type { Synchronous } from './schema.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

/** The file read models always lived in: a data directory without a pointer keeps serving it. */
export const DEFAULT_GENERATION = 'readmodels.db';
export const POINTER_FILE = 'readmodels.current';

/** Only these names are generations: nothing read from the pointer or a CLI reaches another path. */
const GENERATION_NAME = /^readmodels(?:-\d+-[0-9a-f]+)?\.db$/;

export interface SqliteReadModelGenerationsOptions {
  readonly dataDir: string;
  readonly synchronous?: Synchronous;
  readonly busyTimeoutMs?: number;
  /** Passed to each generation's store (SqliteReadModelStoreOptions). */
  readonly checkpointIntervalMs?: number;
}

const isNotFound = (e: unknown): boolean => e instanceof Error && 'code' in e && e.code === 'ENOENT';

const fsyncFile = (path: string): void => {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Makes a rename durable. Best effort: some platforms (Windows) cannot open a directory. */
const fsyncDirectory = (dir: string): void => {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The rename itself is atomic either way; only its durability across a power loss is at stake.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/**
 * Generations as files of one data directory; `readmodels.current` names the one to serve.
 * Every process sharing the directory reads the same pointer, and a rename replaces it whole.
 */
export class SqliteReadModelGenerations implements ReadModelGenerations {
  private constructor(private readonly options: SqliteReadModelGenerationsOptions) {}

  static open(options: SqliteReadModelGenerationsOptions): SqliteReadModelGenerations {
    mkdirSync(options.dataDir, { recursive: true });
    return new SqliteReadModelGenerations(options);
  }

  async current(): Promise<string> {
    let text: string;
    try {
      text = readFileSync(join(this.options.dataDir, POINTER_FILE), 'utf8');
    } catch (e) {
      if (isNotFound(e)) return DEFAULT_GENERATION;
      throw e;
    }
    const name = text.trim();
    if (!GENERATION_NAME.test(name)) throw new Error(`SQLite read models: ${POINTER_FILE} names no generation (${JSON.stringify(name)})`);
    return name;
  }

  async open(generation: string, options?: OpenGenerationOptions): Promise<ReadModelStore> {
    const path = this.pathOf(generation);
    // The default file is created on first start, as always; any other must exist, or a typo
    // would quietly serve an empty store.
    if (generation !== DEFAULT_GENERATION && !existsSync(path)) throw new Error(`SQLite read models: no generation ${generation}`);
    return this.openStore(path, options?.bulkLoad === true);
  }

  async create(copyFrom?: string): Promise<string> {
    const name = `readmodels-${Date.now()}-${randomBytes(4).toString('hex')}.db`;
    const path = join(this.options.dataDir, name);
    if (copyFrom === undefined) {
      await this.openStore(path).close();
      return name;
    }
    const source = this.pathOf(copyFrom);
    if (!existsSync(source)) throw new Error(`SQLite read models: no generation ${copyFrom} to copy`);
    // Copied under a temporary name and renamed: a crash never leaves a half copy that looks
    // like a generation.
    const partial = `${path}.partial`;
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(this.options.busyTimeoutMs ?? 5000))}`);
      // One statement, one read transaction: under WAL it copies a snapshot (rows and checkpoint
      // together) while other connections, in this process or another, keep writing.
      db.prepare('VACUUM INTO ?').run(partial);
    } finally {
      db.close();
    }
    fsyncFile(partial);
    renameSync(partial, path);
    fsyncDirectory(this.options.dataDir);
    return name;
  }

  async switchTo(generation: string): Promise<void> {
    const path = this.pathOf(generation);
    if (!existsSync(path)) throw new Error(`SQLite read models: no generation ${generation} to switch to`);
    // Write aside, fsync, rename over: readers see the old pointer or the new one, never a torn one.
    const temp = join(this.options.dataDir, `${POINTER_FILE}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, `${generation}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(this.options.dataDir, POINTER_FILE));
    fsyncDirectory(this.options.dataDir);
  }

  async drop(generation: string): Promise<void> {
    const path = this.pathOf(generation);
    if (generation === (await this.current())) throw new Error(`SQLite read models: refusing to drop ${generation}, the current generation`);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  }

  /** Holds nothing open: every store returned by `open` is closed by its caller. */
  async close(): Promise<void> {}

  private pathOf(generation: string): string {
    if (!GENERATION_NAME.test(generation)) throw new Error(`SQLite read models: ${JSON.stringify(generation)} is not a generation name`);
    return join(this.options.dataDir, generation);
  }

  private openStore(path: string, bulkLoad = false): SqliteReadModelStore {
    const { synchronous, busyTimeoutMs, checkpointIntervalMs } = this.options;
    return SqliteReadModelStore.open({ path, synchronous, busyTimeoutMs, bulkLoad, checkpointIntervalMs });
  }
}
