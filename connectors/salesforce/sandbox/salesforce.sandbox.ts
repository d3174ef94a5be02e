import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  listen,
  type RunningSandbox,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
  scalarText,
} from '../../../src/connectors';
import { SALESFORCE_FACTS } from '../salesforce.facts';
import { SERVED_VERSIONS } from './salesforce.contract';
import { type RecordError, RecordRefused, refuse, SalesforceError } from './salesforce.errors';
import { fieldDef } from './salesforce.schema';
import { type Row, SalesforceStore } from './salesforce.store';
import { parseSoql } from './soql';

type Body = Record<string, any>;
const param = (req: Request, name: string) => String(req.params[name]);
type SaveResult = { id?: string; success: boolean; errors: RecordError[]; created?: boolean };

const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/** Whether a path's version segment (`v62.0`) is one an org serves (SERVED_VERSIONS). */
function served(segment: string): boolean {
  const match = /^v(\d{2})\.0$/.exec(segment);
  return (
    match !== null &&
    Number(match[1]) >= SERVED_VERSIONS.value.lowest &&
    Number(match[1]) <= SERVED_VERSIONS.value.highest
  );
}

/**
 * A Salesforce org on 127.0.0.1: bearer token; `/services/data/vNN.N/` query, queryAll and query locators
 * (`nextRecordsUrl`, 2,000 a batch or `Sforce-Query-Options: batchSize`); sObject describe, CRUD and External
 * ID upsert; sObject Collections create/update/upsert/retrieve/delete (≤200, `allOrNone`); Bulk API 2.0 query
 * jobs with CSV results and `Sforce-Locator`; `/limits`; `Sforce-Limit-Info` on every response. With rate
 * limits on, the 24-hour allocation is enforced: past it, 403 REQUEST_LIMIT_EXCEEDED.
 */
export async function startSalesforceSandbox(
  options: SandboxOptions & { dailyLimit?: number },
): Promise<RunningSandbox & { store: SalesforceStore; apiUsage: { used: number; max: number } }> {
  const token = options.credentials?.accessToken ?? SALESFORCE_FACTS.sandboxAccessToken;
  const store = new SalesforceStore();
  if (options.seed) store.seed(options.seed);
  const seededUsage = (options.seed?.apiUsage ?? {}) as { used?: number; max?: number };
  const apiUsage = {
    used: seededUsage.used ?? 0,
    max: options.dailyLimit ?? seededUsage.max ?? SALESFORCE_FACTS.dailyApiRequests,
  };
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  let writes = 0;
  const cursors = new Map<string, { object: string; fields: string[]; rows: Row[]; batch: number }>();
  const jobs = new Map<
    string,
    { info: Body; object: string; fields: string[]; rows: Row[]; readyAt: number }
  >();

  const app = sandboxApp(options.latencyMs, counters);
  app.use(express.json({ limit: '50mb' }));
  app.use(express.urlencoded({ extended: false }));

  const send = (res: Response, error: unknown) => {
    if (error instanceof SalesforceError) return res.status(error.status).json(error.body());
    if (error instanceof RecordRefused)
      return res
        .status(400)
        .json([
          { message: error.error.message, errorCode: error.error.statusCode, fields: error.error.fields },
        ]);
    return res.status(500).json([{ message: String(error), errorCode: 'UNKNOWN_EXCEPTION' }]);
  };
  const route = (handler: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      handler(req, res);
    } catch (error) {
      send(res, error);
    }
  };

  // ---- auth, versions, allocation -------------------------------------------------------------------------
  app.post('/services/oauth2/token', (req: Request, res: Response) => {
    const grant = scalarText((req.body as Body).grant_type);
    if (!['client_credentials', 'password', 'refresh_token'].includes(grant))
      return res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    const host = req.headers.host ?? '127.0.0.1';
    res.json({
      access_token: token,
      instance_url: `http://${host}`,
      id: `http://${host}/id/00DSy0000000001/005Sy0000000001`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: randomBytes(32).toString('base64'),
    });
  });
  app.get('/services/data', (_req: Request, res: Response) => {
    const { lowest, highest } = SERVED_VERSIONS.value;
    res.json(
      Array.from({ length: highest - lowest + 1 }, (_, i) => lowest + i).map((v) => ({
        label: `API ${v}.0`,
        url: `/services/data/v${v}.0`,
        version: `${v}.0`,
      })),
    );
  });
  app.use('/services/data/:version', (req: Request, res: Response, next: NextFunction) => {
    if (!served(param(req, 'version')))
      return send(res, new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'));
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'));
    if (options.rateLimit && apiUsage.used >= apiUsage.max) {
      counters.throttled++;
      res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsage.used}/${apiUsage.max}`);
      return send(res, new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    }
    apiUsage.used++;
    res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsage.used}/${apiUsage.max}`);
    next();
  });
  const base = '/services/data/:version';
  const version = (req: Request) => param(req, 'version').slice(1);

  app.get(
    `${base}/limits`,
    route((_req, res) => {
      res.json({
        DailyApiRequests: { Max: apiUsage.max, Remaining: Math.max(0, apiUsage.max - apiUsage.used) },
      });
    }),
  );

  // ---- SOQL --------------------------------------------------------------------------------------------------
  const batchSize = (req: Request) => {
    const asked = /batchSize=(\d+)/i.exec(scalarText(req.headers['sforce-query-options']));
    if (!asked) return SALESFORCE_FACTS.maxQueryBatch;
    return Math.min(
      SALESFORCE_FACTS.maxQueryBatch,
      Math.max(SALESFORCE_FACTS.minQueryBatch, Number(asked[1])),
    );
  };
  const queryBatch = (req: Request, res: Response, locator: string, offset: number) => {
    const cursor = cursors.get(locator);
    if (!cursor) throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const end = offset + cursor.batch;
    const definition = store.objects[cursor.object];
    const done = end >= cursor.rows.length;
    if (done) cursors.delete(locator);
    res.json({
      totalSize: cursor.rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version(req)}/query/${locator}-${end}` }),
      records: cursor.rows
        .slice(offset, end)
        .map((row) => store.shape(definition, row, cursor.fields, version(req))),
    });
  };
  const runQuery = (all: boolean) =>
    route((req, res) => {
      const text = scalarText(req.query.q);
      if (!text) throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
      const query = parseSoql(text);
      const { definition, rows } = store.query(query, all);
      if (query.count) return res.json({ totalSize: rows.length, done: true, records: [] });
      const locator = `01gSy${randomBytes(6).toString('hex')}`;
      cursors.set(locator, { object: definition.name, fields: query.fields, rows, batch: batchSize(req) });
      queryBatch(req, res, locator, 0);
    });
  app.get(`${base}/query`, runQuery(false));
  app.get(`${base}/queryAll`, runQuery(true));
  app.get(
    [`${base}/query/:locator`, `${base}/queryAll/:locator`],
    route((req, res) => {
      const [locator, offset] = String(param(req, 'locator')).split('-');
      queryBatch(req, res, locator, Number(offset) || 0);
    }),
  );

  // ---- sObjects ----------------------------------------------------------------------------------------------
  app.get(
    `${base}/sobjects`,
    route((_req, res) => {
      res.json({
        encoding: 'UTF-8',
        maxBatchSize: SALESFORCE_FACTS.collectionLimit,
        sobjects: Object.values(store.objects).map((o) => ({
          name: o.name,
          label: o.label,
          keyPrefix: o.keyPrefix,
          custom: false,
        })),
      });
    }),
  );
  app.get(
    `${base}/sobjects/:object/describe`,
    route((req, res) => {
      const definition = store.object(param(req, 'object'));
      res.json({
        name: definition.name,
        label: definition.label,
        keyPrefix: definition.keyPrefix,
        createable: definition.name !== 'User',
        updateable: true,
        fields: definition.fields
          .filter(
            (f) =>
              !(f.name === SALESFORCE_FACTS.sourceIdField && store.withoutSourceIdField.has(definition.name)),
          )
          .map((f) => ({
            name: f.name,
            label: f.label,
            type: f.type,
            custom: f.name.endsWith('__c'),
            createable: f.createable,
            updateable: f.updateable,
            nillable: !f.required,
            externalId: f.externalId ?? false,
            unique: f.unique ?? false,
            idLookup: f.name === 'Id' || (f.externalId ?? false),
            referenceTo: f.referenceTo ? [f.referenceTo] : [],
            relationshipName: f.relationshipName ?? null,
            restrictedPicklist: f.restrictedPicklist ?? false,
            picklistValues: (f.picklist ?? []).map((value) => ({
              value,
              label: value,
              active: true,
              defaultValue: false,
            })),
          })),
      });
    }),
  );
  const allFields = (name: string) =>
    store.objects[name].fields
      .map((f) => f.name)
      .filter((f) => !(f === SALESFORCE_FACTS.sourceIdField && store.withoutSourceIdField.has(name)));
  app.get(
    `${base}/sobjects/:object/:id`,
    route((req, res) => {
      const definition = store.object(param(req, 'object'));
      const row = store.get(definition.name, param(req, 'id'));
      if (!row) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const fields = req.query.fields ? scalarText(req.query.fields).split(',') : allFields(definition.name);
      res.json(store.shape(definition, row, fields, version(req)));
    }),
  );
  app.post(
    `${base}/sobjects/:object`,
    route((req, res) => {
      const row = store.insert(store.object(param(req, 'object')).name, withoutAttributes(req.body as Body));
      writes++;
      res.status(201).json({ id: row.Id, success: true, errors: [] });
    }),
  );
  app.patch(
    `${base}/sobjects/:object/:id`,
    route((req, res) => {
      store.update(
        store.object(param(req, 'object')).name,
        param(req, 'id'),
        withoutAttributes(req.body as Body),
      );
      writes++;
      res.status(204).end();
    }),
  );
  app.patch(
    `${base}/sobjects/:object/:field/:value`,
    route((req, res) => {
      const name = store.object(param(req, 'object')).name;
      const values = { ...withoutAttributes(req.body as Body), [param(req, 'field')]: param(req, 'value') };
      const { row, created } = store.upsert(name, param(req, 'field'), values);
      writes++;
      res.status(created ? 201 : 200).json({ id: row.Id, success: true, errors: [], created });
    }),
  );
  app.delete(
    `${base}/sobjects/:object/:id`,
    route((req, res) => {
      store.object(param(req, 'object'));
      store.remove(param(req, 'id'));
      writes++;
      res.status(204).end();
    }),
  );

  // ---- sObject Collections ---------------------------------------------------------------------------------
  const collection = (body: Body): Body[] => {
    const records = body?.records;
    if (!Array.isArray(records)) throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'records is required');
    if (records.length > SALESFORCE_FACTS.collectionLimit)
      throw new SalesforceError(
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${SALESFORCE_FACTS.collectionLimit} records into this call`,
      );
    return records as Body[];
  };
  const typeOf = (record: Body): string => {
    const type = scalarText(record.attributes?.type);
    if (!type)
      throw new SalesforceError(400, 'INVALID_TYPE', 'sObject type must be specified in attributes.type');
    return store.object(type).name;
  };
  /** Runs each record's write, in order; with allOrNone one failure rolls every record back. */
  const saveAll = (
    allOrNone: boolean,
    records: Body[],
    write: (record: Body) => SaveResult,
  ): SaveResult[] => {
    const snapshot = allOrNone ? store.snapshot() : undefined;
    const results = records.map((record) => {
      try {
        return write(record);
      } catch (error) {
        if (error instanceof RecordRefused) return { id: undefined, success: false, errors: [error.error] };
        throw error;
      }
    });
    if (snapshot && results.some((r) => !r.success)) {
      store.restore(snapshot);
      return results.map((r) => (r.success ? { success: false, errors: [ROLLED_BACK] } : r));
    }
    writes += results.filter((r) => r.success).length;
    return results;
  };

  app.post(
    `${base}/composite/sobjects`,
    route((req, res) => {
      const body = req.body as Body;
      const records = collection(body);
      for (const record of records) store.deserialise(typeOf(record), withoutAttributes(record));
      res.json(
        saveAll(Boolean(body.allOrNone), records, (record) => {
          if (record.id || record.Id)
            throw refuse('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
          const row = store.insert(typeOf(record), withoutAttributes(record));
          return { id: row.Id, success: true, errors: [] };
        }),
      );
    }),
  );
  app.patch(
    `${base}/composite/sobjects`,
    route((req, res) => {
      const body = req.body as Body;
      const records = collection(body);
      for (const record of records) store.deserialise(typeOf(record), withoutAttributes(record));
      res.json(
        saveAll(Boolean(body.allOrNone), records, (record) => {
          const id = scalarText(record.id ?? record.Id);
          if (!id) throw refuse('MISSING_ARGUMENT', 'Id not specified in an update call');
          store.update(typeOf(record), id, withoutAttributes(record));
          return { id, success: true, errors: [] };
        }),
      );
    }),
  );
  app.patch(
    `${base}/composite/sobjects/:object/:field`,
    route((req, res) => {
      const body = req.body as Body;
      const name = store.object(param(req, 'object')).name;
      const field = fieldDef(store.objects[name], param(req, 'field'));
      const records = collection(body);
      for (const record of records) store.deserialise(name, withoutAttributes(record));
      const keys = records.map((record) => scalarText(field ? record[field.name] : '').toLowerCase());
      const repeated = new Set(keys.filter((key, i) => key && keys.indexOf(key) !== i));
      res.json(
        saveAll(Boolean(body.allOrNone), records, (record) => {
          const key = scalarText(field ? record[field.name] : '');
          if (repeated.has(key.toLowerCase()))
            throw refuse('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`);
          const { row, created } = store.upsert(name, param(req, 'field'), withoutAttributes(record));
          return { id: row.Id, success: true, errors: [], created };
        }),
      );
    }),
  );
  const retrieve = (req: Request, res: Response, ids: string[], fields: string[]) => {
    const definition = store.object(param(req, 'object'));
    if (ids.length > 2000)
      throw new SalesforceError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 2000 records into this call',
      );
    const wanted = fields.length > 0 ? fields : allFields(definition.name);
    res.json(
      ids.map((id) => {
        const row = store.get(definition.name, id);
        return row ? store.shape(definition, row, wanted, version(req)) : null;
      }),
    );
  };
  app.post(
    `${base}/composite/sobjects/:object`,
    route((req, res) => {
      const body = req.body as Body;
      retrieve(req, res, (body.ids ?? []) as string[], (body.fields ?? []) as string[]);
    }),
  );
  app.get(
    `${base}/composite/sobjects/:object`,
    route((req, res) => {
      const list = (value: unknown) => (value ? scalarText(value).split(',') : []);
      retrieve(req, res, list(req.query.ids), list(req.query.fields));
    }),
  );
  app.delete(
    `${base}/composite/sobjects`,
    route((req, res) => {
      const ids = scalarText(req.query.ids).split(',').filter(Boolean);
      if (ids.length > SALESFORCE_FACTS.collectionLimit)
        throw new SalesforceError(
          400,
          'EXCEEDED_ID_LIMIT',
          `record limit reached. cannot submit more than ${SALESFORCE_FACTS.collectionLimit} records into this call`,
        );
      res.json(
        saveAll(
          req.query.allOrNone === 'true',
          ids.map((id) => ({ id })),
          (record) => {
            store.remove(String(record.id));
            return { id: String(record.id), success: true, errors: [] };
          },
        ),
      );
    }),
  );

  // ---- Bulk API 2.0 query ----------------------------------------------------------------------------------
  app.post(
    `${base}/jobs/query`,
    route((req, res) => {
      const body = req.body as Body;
      const operation = scalarText(body.operation);
      if (!['query', 'queryAll'].includes(operation))
        throw new SalesforceError(400, 'INVALIDJOB', `Invalid operation: ${operation}`);
      const query = parseSoql(scalarText(body.query));
      if (query.count || query.offset !== undefined)
        throw new SalesforceError(
          400,
          'API_ERROR',
          'COUNT() and OFFSET are not supported in Bulk API 2.0 queries',
        );
      const { definition, rows } = store.query(query, operation === 'queryAll');
      const id = `750Sy${randomBytes(5).toString('hex')}`;
      const info = {
        id,
        operation,
        object: definition.name,
        createdById: '005Sy0000000001AAA',
        createdDate: new Date().toISOString().replace('Z', '+0000'),
        systemModstamp: new Date().toISOString().replace('Z', '+0000'),
        state: 'UploadComplete',
        concurrencyMode: 'Parallel',
        contentType: 'CSV',
        apiVersion: Number(version(req)),
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
      };
      jobs.set(id, { info, object: definition.name, fields: query.fields, rows, readyAt: Date.now() + 100 });
      res.json(info);
    }),
  );
  const job = (req: Request) => {
    const found = jobs.get(param(req, 'id'));
    if (!found) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (found.info.state !== 'Aborted')
      found.info.state = Date.now() >= found.readyAt ? 'JobComplete' : 'InProgress';
    return found;
  };
  app.get(
    `${base}/jobs/query/:id`,
    route((req, res) => {
      const found = job(req);
      res.json({
        ...found.info,
        numberRecordsProcessed: found.info.state === 'JobComplete' ? found.rows.length : 0,
        retries: 0,
        totalProcessingTime: 100,
      });
    }),
  );
  app.get(
    `${base}/jobs/query/:id/results`,
    route((req, res) => {
      const found = job(req);
      if (found.info.state !== 'JobComplete')
        throw new SalesforceError(
          400,
          'API_ERROR',
          `Query job ${found.info.id} is ${found.info.state}: results are not ready`,
        );
      const offset = req.query.locator ? Number(req.query.locator) : 0;
      const max = req.query.maxRecords ? Number(req.query.maxRecords) : 50_000;
      const slice = found.rows.slice(offset, offset + max);
      const end = offset + slice.length;
      const definition = store.objects[found.object];
      const cells = slice.map((row) => {
        const shaped = store.shape(definition, row, found.fields, version(req));
        return found.fields.map((path) => {
          const value = pathValue(shaped, path);
          // Bulk results write datetimes in UTC with a Z.
          return value === null || value === undefined
            ? null
            : scalarText(value).replace(/(T[\d:.]+)\+0000$/, '$1Z');
        });
      });
      res.setHeader('Sforce-Locator', end < found.rows.length ? String(end) : 'null');
      res.setHeader('Sforce-NumberOfRecords', String(slice.length));
      res.type('text/csv').send(stringify([found.fields, ...cells], { quoted: true }));
    }),
  );
  app.delete(
    `${base}/jobs/query/:id`,
    route((req, res) => {
      job(req);
      jobs.delete(param(req, 'id'));
      res.status(204).end();
    }),
  );

  app.use((_req: Request, res: Response) => {
    send(res, new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'));
  });

  const running = await listen(app, options.port, options.host ?? '127.0.0.1', counters, () => writes);
  return { ...running, store, apiUsage };
}

function withoutAttributes(record: Body): Body {
  const values = { ...(record ?? {}) };
  for (const key of ['attributes', 'id', 'Id']) delete values[key];
  return values;
}

/** A shaped record's value at a path (`Name`, `Product2.Name`), matching names case-insensitively. */
function pathValue(record: Body | null | undefined, path: string): unknown {
  const [first, ...rest] = path.split('.');
  const key = Object.keys(record ?? {}).find((k) => k.toLowerCase() === first.toLowerCase());
  const value = key ? (record as Body)[key] : undefined;
  return rest.length === 0 ? value : pathValue(value as Body | null, rest.join('.'));
}
