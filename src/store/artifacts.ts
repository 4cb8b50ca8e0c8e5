// Artifacts: files a run produced (plots, reports, models), with kind, media type, size and JSON metadata.
import type Database from 'better-sqlite3';
import type { ArtifactRecord, JsonObject } from './types.js';

interface ArtifactRow {
  id: number;
  run_id: string;
  kind: string;
  path: string;
  mime: string;
  bytes: number;
  metadata: string;
  created_at: number;
}

function fromRow(r: ArtifactRow): ArtifactRecord {
  return {
    id: r.id,
    runId: r.run_id,
    kind: r.kind,
    path: r.path,
    mime: r.mime,
    bytes: r.bytes,
    metadata: JSON.parse(r.metadata) as JsonObject,
    createdAt: r.created_at,
  };
}

/** SQL of the artifacts table; the RunStore validates arguments and wraps calls in its transactions. */
export class ArtifactTable {
  private readonly upsert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly byRun: Database.Statement;
  private readonly byRunKind: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO artifacts (run_id, kind, path, mime, bytes, metadata, created_at)
       VALUES (@runId, @kind, @path, @mime, @bytes, @metadata, @now)
       ON CONFLICT (run_id, path) DO UPDATE SET kind = @kind, mime = @mime, bytes = @bytes,
         metadata = @metadata, created_at = @now
       RETURNING *`,
    );
    this.byId = db.prepare('SELECT * FROM artifacts WHERE id = ?');
    this.byRun = db.prepare('SELECT * FROM artifacts WHERE run_id = ? ORDER BY id');
    this.byRunKind = db.prepare('SELECT * FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY id');
    this.remove = db.prepare('DELETE FROM artifacts WHERE id = ?');
  }

  /** Inserts, or replaces the record of the same run and path. */
  add(a: Omit<ArtifactRecord, 'id' | 'createdAt'>, now: number): ArtifactRecord {
    return fromRow(this.upsert.get({ ...a, metadata: JSON.stringify(a.metadata), now }) as ArtifactRow);
  }

  get(id: number): ArtifactRecord | null {
    const row = this.byId.get(id) as ArtifactRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  list(runId: string, kind?: string): ArtifactRecord[] {
    const rows = (
      kind === undefined ? this.byRun.all(runId) : this.byRunKind.all(runId, kind)
    ) as ArtifactRow[];
    return rows.map(fromRow);
  }

  delete(id: number): boolean {
    return this.remove.run(id).changes === 1;
  }
}
