// Tags and groups of runs: the store's model for comparisons and sweeps (tables `tags`, `groups`, `group_runs`).
import type Database from 'better-sqlite3';
import { ArgumentError } from '../core/errors.js';
import { RunNotFoundError } from './errors.js';
import type { GroupKind, JsonObject, RunGroup } from './types.js';

/** Group kinds the schema accepts. */
export const GROUP_KINDS = ['comparison', 'sweep'] as const satisfies readonly GroupKind[];

/** A tag: 1–64 characters of letters, digits and `_ . : / = + -`, no spaces. */
export function checkTag(tag: unknown, op: string): string {
  if (typeof tag !== 'string' || !/^[\w.:/=+-]{1,64}$/.test(tag))
    throw new ArgumentError(
      `${op}: a tag is 1-64 letters, digits or _ . : / = + - (no spaces), got ${JSON.stringify(tag)}`,
    );
  return tag;
}

interface GroupRow {
  id: string;
  kind: GroupKind;
  name: string | null;
  config: string;
  created_at: number;
}

/** SQL of tags and groups; the RunStore calls it inside its transactions. */
export class GroupTables {
  private readonly s: Record<
    | 'addTag'
    | 'removeTag'
    | 'tagsOf'
    | 'insertGroup'
    | 'group'
    | 'groups'
    | 'groupsOfKind'
    | 'groupRuns'
    | 'groupsOf'
    | 'addRun'
    | 'removeRun'
    | 'deleteGroup',
    Database.Statement
  >;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      addTag: p('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)'),
      removeTag: p('DELETE FROM tags WHERE run_id = ? AND tag = ?'),
      tagsOf: p('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag'),
      insertGroup: p('INSERT INTO groups (id, kind, name, config, created_at) VALUES (?, ?, ?, ?, ?)'),
      group: p('SELECT * FROM groups WHERE id = ?'),
      groups: p('SELECT * FROM groups ORDER BY created_at DESC, id'),
      groupsOfKind: p('SELECT * FROM groups WHERE kind = ? ORDER BY created_at DESC, id'),
      groupRuns: p('SELECT run_id FROM group_runs WHERE group_id = ? ORDER BY added_at, rowid'),
      groupsOf: p('SELECT group_id FROM group_runs WHERE run_id = ? ORDER BY group_id'),
      addRun: p('INSERT OR IGNORE INTO group_runs (group_id, run_id, added_at) VALUES (?, ?, ?)'),
      removeRun: p('DELETE FROM group_runs WHERE group_id = ? AND run_id = ?'),
      deleteGroup: p('DELETE FROM groups WHERE id = ?'),
    };
  }

  addTags(runId: string, tags: readonly string[]): void {
    for (const t of tags) this.s.addTag.run(runId, t);
  }

  removeTags(runId: string, tags: readonly string[]): void {
    for (const t of tags) this.s.removeTag.run(runId, t);
  }

  tagsOf(runId: string): string[] {
    return (this.s.tagsOf.all(runId) as { tag: string }[]).map((r) => r.tag);
  }

  groupsOf(runId: string): string[] {
    return (this.s.groupsOf.all(runId) as { group_id: string }[]).map((r) => r.group_id);
  }

  insertGroup(id: string, kind: GroupKind, name: string | null, config: JsonObject, now: number): void {
    this.s.insertGroup.run(id, kind, name, JSON.stringify(config), now);
  }

  group(id: string, storePath: string): RunGroup {
    const row = this.s.group.get(id) as GroupRow | undefined;
    if (row === undefined) throw new RunNotFoundError(`no group '${id}' in ${storePath}`);
    return this.toGroup(row);
  }

  groups(kind?: GroupKind): RunGroup[] {
    const rows = (kind === undefined ? this.s.groups.all() : this.s.groupsOfKind.all(kind)) as GroupRow[];
    return rows.map((r) => this.toGroup(r));
  }

  addRun(groupId: string, runId: string, now: number): void {
    this.s.addRun.run(groupId, runId, now);
  }

  removeRun(groupId: string, runId: string): void {
    this.s.removeRun.run(groupId, runId);
  }

  deleteGroup(id: string): void {
    this.s.deleteGroup.run(id);
  }

  private toGroup(r: GroupRow): RunGroup {
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      config: JSON.parse(r.config) as JsonObject,
      createdAt: r.created_at,
      runIds: (this.s.groupRuns.all(r.id) as { run_id: string }[]).map((x) => x.run_id),
    };
  }
}
