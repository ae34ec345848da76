import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import type { BackupScheduler } from './backup-scheduler.js';
import { backupFile, backupIdParams, backupList, backupManifest, createBackupBody, restoreBody, restoreOutcome, uploadQuery } from './backups.schema.js';
import type { BackupsService } from './backups.service.js';
import { fromParam, fromReply } from '../http/audit-target.js';
import { problems } from '../http/problem.schema.js';

const BACKUP_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];

const backupTarget = { type: 'backup', id: fromParam('id') };

/**
 * /system/backups. A backup holds password hashes and secret ciphertext, so everything but listing
 * is for admins; downloads are audited like mutations. Uploads are streamed to disk (never held in
 * memory) within BACKUP_MAX_UPLOAD_MB and checked in full before they are listed.
 */
export const backupsRoutes: FastifyPluginAsyncZod<{ backups: BackupsService; scheduler: BackupScheduler }> = async (app, { backups, scheduler }) => {
  const tags = ['backups'];
  // The upload body is the raw file: hand the stream to the handler instead of buffering it.
  app.addContentTypeParser(BACKUP_TYPES, (_req, payload, done) => done(null, payload));

  app.get('/system/backups', {
    config: { auth: 'backups:read' },
    schema: { tags, summary: 'List backups (newest first) and the schedule', response: { 200: backupList } },
  }, async () => {
    const s = scheduler.settings();
    return {
      items: await backups.list(),
      schedule: { schedule: s.schedule, next_run: scheduler.nextRun()?.toISOString() ?? null, keep_count: s.keepCount, keep_days: s.keepDays },
    };
  });

  app.post('/system/backups', {
    config: { auth: 'backups:write', audit: { action: 'backup.create', target: { type: 'backup', id: fromReply('id') } } },
    schema: { tags, summary: 'Back up the database now (verified before it is listed)', body: createBackupBody, response: { 201: backupManifest } },
  }, async (req, reply) => {
    return reply.status(201).send(await backups.create({ kind: 'manual', label: req.body?.label ?? null }));
  });

  app.post('/system/backups/upload', {
    config: { auth: 'backups:write', audit: { action: 'backup.upload', target: { type: 'backup', id: fromReply('id') } } },
    schema: {
      tags,
      summary: 'Bring a backup from elsewhere: the file as the body (application/gzip); checked in full before it is listed',
      querystring: uploadQuery,
      response: { 201: backupManifest, ...problems('unprocessable', 'conflict') },
    },
  }, async (req, reply) => {
    const body = req.body as unknown;
    if (!isStream(body)) throw new AppError('unsupported_media_type', `send the backup file as the body with content-type ${BACKUP_TYPES[0]}`);
    return reply.status(201).send(await backups.import(body, { label: req.query.label ?? null, expectedSha256: req.query.sha256 }));
  });

  app.get('/system/backups/:id', {
    config: { auth: 'backups:read' },
    schema: { tags, summary: 'A backup\'s manifest', params: backupIdParams, response: { 200: backupManifest } },
  }, async (req) => backups.get(req.params.id));

  app.get('/system/backups/:id/download', {
    config: { auth: 'backups:write', audit: { action: 'backup.download', target: backupTarget } },
    schema: { tags, summary: 'Download the backup file (gzip); audited', params: backupIdParams, response: { 200: backupFile } },
  }, async (req, reply) => {
    const { manifest, stream } = await backups.open(req.params.id);
    return reply
      .type('application/gzip')
      .header('content-length', String(manifest.size_bytes))
      .header('content-disposition', `attachment; filename="${manifest.id}.backup.gz"`)
      .header('x-backup-sha256', manifest.sha256)
      .send(stream);
  });

  app.post('/system/backups/:id/verify', {
    config: { auth: 'backups:read', audit: { action: 'backup.verify', target: backupTarget } },
    schema: { tags, summary: 'Read the file back in full and check it against its manifest', params: backupIdParams, response: { 200: backupManifest, ...problems('unprocessable') } },
  }, async (req) => backups.verify(req.params.id));

  app.post('/system/backups/:id/restore', {
    config: { auth: 'backups:restore', audit: { action: 'backup.restore', target: backupTarget } },
    schema: {
      tags,
      summary: 'Replace all data with the backup\'s: verified first, a safety backup taken, then one transaction',
      params: backupIdParams,
      body: restoreBody,
      response: { 200: restoreOutcome, ...problems('conflict', 'unprocessable') },
    },
  }, async (req) => backups.restore(req.params.id, { safety: req.body?.safety_backup ?? true }));

  app.delete('/system/backups/:id', {
    config: { auth: 'backups:write', audit: { action: 'backup.delete', target: backupTarget } },
    schema: { tags, summary: 'Delete a backup', params: backupIdParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await backups.delete(req.params.id);
    return reply.status(204).send(null);
  });
};

function isStream(v: unknown): v is Readable {
  return !!v && typeof (v as Readable).pipe === 'function' && typeof (v as Readable).on === 'function';
}
