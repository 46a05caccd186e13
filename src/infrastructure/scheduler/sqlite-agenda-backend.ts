import type { AgendaBackend, NotificationChannel } from 'agenda';
import { SqliteJobRepository, type SqliteJobRepositoryOptions } from './sqlite-job-repository.js';

/**
 * agenda 6 backend on an SQLite file: storage only. Without a notification channel agenda polls
 * every `processEvery`; nodes sharing the file coordinate through its write lock (see the repository).
 */
export class SqliteAgendaBackend implements AgendaBackend {
  readonly name = 'SQLite';
  readonly repository: SqliteJobRepository;
  readonly notificationChannel: NotificationChannel | undefined = undefined;
  /** The backend opened the file, so `agenda.stop()` may close it. */
  readonly ownsConnection = true;

  constructor(options: SqliteJobRepositoryOptions) {
    this.repository = new SqliteJobRepository(options);
  }

  connect(): Promise<void> {
    return this.repository.connect();
  }

  disconnect(): Promise<void> {
    return this.repository.disconnect();
  }
}
