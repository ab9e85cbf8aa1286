/**
 * The sandbox's state: JSON documents in one SQLite table, keyed by (kind, id),
 * ordered by insertion sequence. Documents are stored in the shape the API
 * returns, so a read is one JSON.parse.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

export interface Store {
  insert<T extends { id: string }>(kind: string, doc: T, projectId: string | null): T;
  get<T>(kind: string, id: string): T | undefined;
  /** Insertion order (seq). */
  list<T>(kind: string, filter?: { projectId?: string }): T[];
  /** Whole document replace. */
  update<T extends { id: string }>(kind: string, doc: T): T;
  delete(kind: string, id: string): boolean;
  /** Every mutating request runs its store writes inside ONE transaction so a crash never leaves half a resource. */
  transaction<R>(fn: () => R): R;
  count(kind: string, filter?: { projectId?: string }): number;
  /** Documents whose id starts with idPrefix, ordered by id (Swift listings are sorted by name). */
  listByIdPrefix<T>(kind: string, idPrefix: string): T[];
  /** Project that owns a document (null for global ones), undefined when absent. */
  ownerOf(kind: string, id: string): string | null | undefined;
  /** Number of documents per kind, for `storm sandbox status`. */
  countsByKind(): Record<string, number>;
  /** Drops every document (reset back to an empty database). */
  clear(): void;
  close(): void;
}

import { DATABASE_FILE } from './layout';

export { DATABASE_FILE };

interface Row {
  body: string;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private seq: number;
  private readonly stmt: {
    insert: Database.Statement<[string, string, string | null, number, string]>;
    get: Database.Statement<[string, string], Row>;
    listAll: Database.Statement<[string], Row>;
    listProject: Database.Statement<[string, string], Row>;
    update: Database.Statement<[string, string, string]>;
    del: Database.Statement<[string, string]>;
    countAll: Database.Statement<[string], { n: number }>;
    countProject: Database.Statement<[string, string], { n: number }>;
    prefix: Database.Statement<[string, number, string], Row>;
    owner: Database.Statement<[string, string], { project_id: string | null }>;
    byKind: Database.Statement<[], { kind: string; n: number }>;
  };

  /** Opens (creating if needed) the database in dataDir; ':memory:' for a throwaway one. */
  constructor(dataDir: string | ':memory:') {
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      fs.mkdirSync(dataDir, { recursive: true });
      file = path.join(dataDir, DATABASE_FILE);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS resources (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      project_id TEXT NULL,
      seq INTEGER NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    );
    CREATE INDEX IF NOT EXISTS resources_kind_seq ON resources(kind, seq);
    CREATE INDEX IF NOT EXISTS resources_kind_project ON resources(kind, project_id, seq);`);
    const max = this.db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM resources').get();
    this.seq = max?.m ?? 0;
    this.stmt = {
      insert: this.db.prepare('INSERT INTO resources(kind, id, project_id, seq, body) VALUES (?, ?, ?, ?, ?)'),
      get: this.db.prepare('SELECT body FROM resources WHERE kind = ? AND id = ?'),
      listAll: this.db.prepare('SELECT body FROM resources WHERE kind = ? ORDER BY seq'),
      listProject: this.db.prepare('SELECT body FROM resources WHERE kind = ? AND project_id = ? ORDER BY seq'),
      update: this.db.prepare('UPDATE resources SET body = ? WHERE kind = ? AND id = ?'),
      del: this.db.prepare('DELETE FROM resources WHERE kind = ? AND id = ?'),
      countAll: this.db.prepare('SELECT COUNT(*) AS n FROM resources WHERE kind = ?'),
      countProject: this.db.prepare('SELECT COUNT(*) AS n FROM resources WHERE kind = ? AND project_id = ?'),
      // substr, not LIKE: LIKE folds ASCII case and Swift names are case-sensitive.
      prefix: this.db.prepare('SELECT body FROM resources WHERE kind = ? AND substr(id, 1, ?) = ? ORDER BY id'),
      owner: this.db.prepare('SELECT project_id FROM resources WHERE kind = ? AND id = ?'),
      byKind: this.db.prepare('SELECT kind, COUNT(*) AS n FROM resources GROUP BY kind ORDER BY kind'),
    };
  }

  insert<T extends { id: string }>(kind: string, doc: T, projectId: string | null): T {
    this.seq += 1;
    this.stmt.insert.run(kind, doc.id, projectId, this.seq, JSON.stringify(doc));
    return doc;
  }

  get<T>(kind: string, id: string): T | undefined {
    const row = this.stmt.get.get(kind, id);
    return row === undefined ? undefined : (JSON.parse(row.body) as T);
  }

  list<T>(kind: string, filter?: { projectId?: string }): T[] {
    const rows =
      filter?.projectId === undefined ? this.stmt.listAll.all(kind) : this.stmt.listProject.all(kind, filter.projectId);
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  update<T extends { id: string }>(kind: string, doc: T): T {
    const result = this.stmt.update.run(JSON.stringify(doc), kind, doc.id);
    if (result.changes === 0) throw new Error(`store.update: no ${kind} with id ${doc.id}`);
    return doc;
  }

  delete(kind: string, id: string): boolean {
    return this.stmt.del.run(kind, id).changes > 0;
  }

  transaction<R>(fn: () => R): R {
    // Nested calls join the outer transaction (better-sqlite3 uses savepoints).
    return this.db.transaction(fn)();
  }

  count(kind: string, filter?: { projectId?: string }): number {
    const row =
      filter?.projectId === undefined
        ? this.stmt.countAll.get(kind)
        : this.stmt.countProject.get(kind, filter.projectId);
    return row?.n ?? 0;
  }

  listByIdPrefix<T>(kind: string, idPrefix: string): T[] {
    return this.stmt.prefix.all(kind, idPrefix.length, idPrefix).map((r) => JSON.parse(r.body) as T);
  }

  ownerOf(kind: string, id: string): string | null | undefined {
    const row = this.stmt.owner.get(kind, id);
    return row === undefined ? undefined : row.project_id;
  }

  countsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmt.byKind.all()) out[r.kind] = r.n;
    return out;
  }

  clear(): void {
    this.db.exec('DELETE FROM resources');
    this.seq = 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
