/**
 * Object versions: legacy versioned_writes (X-Versions-Location / X-History-Location
 * copy the old object into another container) and object versioning
 * (X-Versions-Enabled keeps older versions and delete markers in kind object.version).
 */
import * as fs from 'node:fs';
import type { FastifyReply } from 'fastify';
import { swiftError } from '../../core/errors';
import { writeFileAtomic } from '../../core/files';
import { K, swiftTimestamp, type ContainerDoc, type ObjectDoc } from './model';
import type { SwiftApi } from './swift';

export type ObjectVersions = ReturnType<typeof objectVersions>;

export function objectVersions(api: SwiftApi) {
  const { ctx, store, fail, containerDoc, projectOfAccount, blobFile } = api;
  /** Deletes a current object and takes it off its container's counts (inside the caller's transaction). */
  const dropObject = (c: ContainerDoc, o: ObjectDoc): void => {
    store.delete(K.object, o.id);
    const latest = store.get<ContainerDoc>(K.container, c.id) ?? c;
    store.update(K.container, {
      ...latest,
      objectCount: latest.objectCount - 1,
      bytesUsed: latest.bytesUsed - o.bytes,
    });
  };
  /** Moves the current object into the versions container, as legacy versioned_writes does. */
  const archive = (c: ContainerDoc, o: ObjectDoc, location: string): void => {
    const target = containerDoc(c.account, location);
    if (target === undefined) throw swiftError(412, `Versions container ${location} does not exist`);
    const name = `${o.name.length.toString(16).padStart(3, '0')}${o.name}/${o.timestamp}`;
    const copy: ObjectDoc = { ...o, id: `${target.id}/${name}`, container: target.name, name };
    const previous = store.get<ObjectDoc>(K.object, copy.id);
    if (previous !== undefined) store.update(K.object, copy);
    else store.insert(K.object, copy, projectOfAccount(c.account) ?? null);
    store.update(K.container, {
      ...target,
      objectCount: target.objectCount + (previous === undefined ? 1 : 0),
      bytesUsed: target.bytesUsed + o.bytes - (previous?.bytes ?? 0),
    });
  };
  // --- object versioning (X-Versions-Enabled): older versions and delete markers live in kind object.version ---
  const versionKey = (c: ContainerDoc, name: string, versionId: string): string => `${c.id}/${name}\u0000${versionId}`;
  const versionsOf = (c: ContainerDoc, name: string): ObjectDoc[] =>
    store
      .listByIdPrefix<ObjectDoc>(K.version, `${c.id}/${name}\u0000`)
      .sort((a, b) => Number(b.versionId) - Number(a.versionId));
  /** Keeps the current object as a non-current version (inside the caller's transaction). */
  const keepVersion = (c: ContainerDoc, o: ObjectDoc): void => {
    const versionId = o.versionId ?? o.timestamp;
    store.insert<ObjectDoc>(
      K.version,
      { ...o, id: versionKey(c, o.name, versionId), versionId },
      projectOfAccount(c.account) ?? null,
    );
  };
  /** A version id newer than every existing one of this object. */
  const nextVersionId = (c: ContainerDoc, name: string, ts: string): string => {
    const newest = versionsOf(c, name)[0]?.versionId;
    const current = store.get<ObjectDoc>(K.object, `${c.id}/${name}`)?.versionId;
    let v = Number(ts);
    for (const other of [newest, current]) if (other !== undefined && Number(other) >= v) v = Number(other) + 0.00001;
    return v.toFixed(5);
  };

  const putObject = (c: ContainerDoc, o: ObjectDoc, data: Buffer): { previousBlob: string | undefined } => {
    writeFileAtomic(blobFile(o.blob), data);
    let previousBlob: string | undefined;
    store.transaction(() => {
      const fresh = store.get<ContainerDoc>(K.container, c.id) ?? c;
      const previous = store.get<ObjectDoc>(K.object, o.id);
      const location = fresh.versionsLocation ?? fresh.historyLocation;
      let counts = { objectCount: fresh.objectCount + 1, bytesUsed: fresh.bytesUsed + o.bytes };
      if (fresh.versionsEnabled === true) o.versionId = nextVersionId(fresh, o.name, o.timestamp);
      if (previous !== undefined) {
        counts = { objectCount: fresh.objectCount, bytesUsed: fresh.bytesUsed + o.bytes - previous.bytes };
        if (fresh.versionsEnabled === true) keepVersion(fresh, previous);
        else if (location !== null) archive(fresh, previous, location);
        else previousBlob = previous.blob;
        store.update(K.object, o);
      } else store.insert(K.object, o, projectOfAccount(c.account) ?? null);
      const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
      store.update(K.container, { ...latest, ...counts });
    });
    return { previousBlob };
  };
  /**
   * DELETE with versioning: without version-id the current object becomes a
   * version and a delete marker is written; with version-id that version goes
   * (if it was the current one, the newest older non-marker version becomes current).
   */
  const deleteVersioned = (
    reply: FastifyReply,
    c: ContainerDoc,
    name: string,
    current: ObjectDoc | undefined,
    wanted: string | undefined,
  ): FastifyReply => {
    let freed: string | undefined;
    let answeredVersion: string | undefined;
    store.transaction(() => {
      const fresh = store.get<ContainerDoc>(K.container, c.id) ?? c;
      const dropCurrent = (o: ObjectDoc): void => dropObject(fresh, o);
      if (wanted === undefined) {
        if (current === undefined) throw fail(404);
        keepVersion(fresh, current);
        dropCurrent(current);
        const ts = swiftTimestamp(ctx.now());
        const markerId = nextVersionId(fresh, name, ts);
        store.insert<ObjectDoc>(
          K.version,
          {
            id: versionKey(fresh, name, markerId),
            account: c.account,
            container: c.name,
            name,
            bytes: 0,
            hash: 'd41d8cd98f00b204e9800998ecf8427e',
            contentType: 'application/x-deleted;swift_versions_deleted=1',
            timestamp: ts,
            meta: {},
            headers: {},
            blob: '',
            versionId: markerId,
            deleteMarker: true,
          },
          projectOfAccount(c.account) ?? null,
        );
        answeredVersion = markerId;
        return;
      }
      if (
        current !== undefined &&
        (current.versionId === wanted || (wanted === 'null' && current.versionId === undefined))
      ) {
        freed = current.blob;
        dropCurrent(current);
        const promote = versionsOf(fresh, name)[0];
        if (promote !== undefined && promote.deleteMarker !== true) {
          store.delete(K.version, promote.id);
          store.insert<ObjectDoc>(K.object, { ...promote, id: `${c.id}/${name}` }, projectOfAccount(c.account) ?? null);
          const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
          store.update(K.container, {
            ...latest,
            objectCount: latest.objectCount + 1,
            bytesUsed: latest.bytesUsed + promote.bytes,
          });
        }
        answeredVersion = wanted;
        return;
      }
      const version =
        wanted === undefined ? undefined : store.get<ObjectDoc>(K.version, versionKey(fresh, name, wanted));
      if (version === undefined) throw fail(404);
      store.delete(K.version, version.id);
      if (version.deleteMarker !== true) freed = version.blob;
      answeredVersion = wanted;
    });
    if (freed !== undefined && freed !== '') fs.rmSync(blobFile(freed), { force: true });
    if (answeredVersion !== undefined) reply.header('x-object-version-id', answeredVersion);
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  };
  return { archive, dropObject, versionKey, putObject, deleteVersioned };
}
