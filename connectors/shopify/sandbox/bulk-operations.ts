import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import {
  type DocumentNode,
  execute,
  type FieldNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  parse,
  type SelectionSetNode,
  validate,
} from 'graphql';
import { compilableSchema, type ResolvingContext } from './shopify-schema';

/** What a bulk operation's connections run with: the top level a chunk at a time, nested ones whole. */
export interface BulkContext {
  bulk: {
    first: number;
    after: string | null;
    page?: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
}

type Status = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';

type ExecutionResult = { data?: Record<string, any> | null; errors?: readonly Error[] };
/** One chunk of an export's query, run with its context. */
type Run = (context: BulkContext & ResolvingContext & { origin: string }) => ExecutionResult;

interface Operation {
  id: string;
  status: Status;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
  query: string;
  file: string | null;
  token: string;
}

const CHUNK = 250;
/** Even a small export takes Shopify a moment: an operation is RUNNING at least this long. */
const SHORTEST_RUN_MS = 250;

/**
 * `bulkOperationRunQuery` as the Admin API documents it (shopify.dev/docs/api/usage/bulk-operations/queries):
 * one query operation at a time per shop (OPERATION_IN_PROGRESS otherwise), at least one and at most five
 * connections, nested at most two deep, each parent of a nested connection selecting `id`. The operation runs
 * in the background (CREATED → RUNNING → COMPLETED), visible through `currentBulkOperation` and `node(id:)`;
 * the result is a JSONL file, one object a line, each object of a nested connection on its own line after its
 * parent with `__parentId`, at a URL that needs no access token (Shopify signs it). No results: `url` null.
 */
export class BulkQueries {
  private readonly operations: Operation[] = [];
  private readonly queries = new Map<string, Run>();
  private directory: string | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly runQuery: {
      rootValue: unknown;
      fieldResolver: GraphQLFieldResolver<any, unknown>;
      typeResolver: GraphQLTypeResolver<any, unknown>;
      /** The fields the sandbox resolves as relations, by type. */
      related: Record<string, Record<string, unknown>>;
    },
  ) {}

  /** The mutation's payload. */
  start(query: string) {
    const running = this.operations.find((op) => op.status === 'CREATED' || op.status === 'RUNNING');
    if (running)
      return refusal(
        'OPERATION_IN_PROGRESS',
        `A bulk query operation for this app and shop is already in progress: ${running.id}.`,
      );
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return refusal('INVALID', `Invalid bulk query: ${(error as Error).message}`);
    }
    const problem = validate(this.schema, document)[0]?.message ?? this.problemOf(document);
    if (problem)
      return refusal('INVALID', problem.startsWith('Invalid') ? problem : `Invalid bulk query: ${problem}`);
    const op: Operation = {
      id: `gid://shopify/BulkOperation/${this.operations.length + 1}`,
      status: 'CREATED',
      errorCode: null,
      createdAt: new Date().toISOString(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: 0,
      query,
      file: null,
      token: randomBytes(12).toString('hex'),
    };
    this.operations.push(op);
    setImmediate(() => void this.run(op, document));
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  /** The app's most recent query operation, as `currentBulkOperation` answers it. */
  current() {
    const op = this.operations.at(-1);
    return op ? this.view(op) : null;
  }

  byId(gid: string) {
    const op = this.operations.find((candidate) => candidate.id === gid);
    return op ? this.view(op) : undefined;
  }

  /** The JSONL file behind a result URL, or undefined when the name or signature does not match. */
  fileOf(name: string, token: string): string | undefined {
    const op = this.operations.find((candidate) => candidate.file?.endsWith(`/${name}`));
    return op && op.token === token ? op.file! : undefined;
  }

  async close(): Promise<void> {
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }

  private view(op: Operation) {
    return {
      __typename: 'BulkOperation',
      id: op.id,
      status: op.status,
      errorCode: op.errorCode,
      createdAt: op.createdAt,
      completedAt: op.completedAt,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: op.file ? String(op.fileSize) : null,
      query: op.query,
      type: 'QUERY',
      partialDataUrl: null,
      // Shopify answers a signed storage URL; here, the sandbox's own origin.
      url: (_args: unknown, context: { origin?: string }) =>
        op.status === 'COMPLETED' && op.file && op.objectCount > 0
          ? `${context.origin}/bulk-operations/${op.file.split('/').pop()}?signature=${op.token}`
          : null,
    };
  }

  private async run(op: Operation, document: DocumentNode): Promise<void> {
    op.status = 'RUNNING';
    const shortest = new Promise((resolve) => setTimeout(resolve, SHORTEST_RUN_MS));
    try {
      this.directory ??= await mkdtemp(join(tmpdir(), 'shopify-bulk-'));
      op.file = join(this.directory, `bulk-${op.id.split('/').pop()}.jsonl`);
      await appendFile(op.file, '');
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      )!;
      const root = operation.selectionSet.selections[0] as FieldNode;
      const rootType = fieldType(this.schema.getQueryType()!, root.name.value)!;
      const shape = shapeOf(connectionNodeType(rootType), nodeSelection(root.selectionSet!));
      const query = this.compiled(op.query, document);
      let after: string | null = null;
      for (;;) {
        const context: BulkContext & ResolvingContext & { origin: string } = {
          bulk: { first: CHUNK, after },
          origin: '',
          resolveField: this.runQuery.fieldResolver,
          resolveType: this.runQuery.typeResolver,
        };
        const result = query(context);
        if (result.errors?.length || !result.data) throw result.errors?.[0] ?? new Error('no data');
        const connection = result.data[root.alias?.value ?? root.name.value];
        const lines: string[] = [];
        for (const node of nodesOf(connection)) {
          op.rootObjectCount++;
          this.emit(node, shape, null, lines, op);
        }
        if (lines.length > 0) {
          lines.push(''); // the last line's newline
          // Encoded once: measuring the text and then appending it would each walk it again.
          const bytes = Buffer.from(lines.join('\n'));
          op.fileSize += bytes.length;
          await appendFile(op.file, bytes);
        }
        const page = context.bulk.page;
        if (!page?.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
        // Polls are answered while a large export runs.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await shortest;
      op.status = 'COMPLETED';
      op.completedAt = new Date().toISOString();
    } catch {
      op.status = 'FAILED';
      op.errorCode = 'INTERNAL_SERVER_ERROR';
    }
  }

  /**
   * The query compiled by graphql-jit, once per text: an export runs it a chunk at a time, and graphql-js would
   * interpret the whole query again for each chunk (the export then costs a third more). A query graphql-jit
   * cannot compile runs through graphql-js, as it did before.
   */
  private compiled(text: string, document: DocumentNode): Run {
    let query = this.queries.get(text);
    if (!query) {
      const made = compileQuery(compilableSchema(this.runQuery.related), document);
      query = isCompiledQuery(made)
        ? (context) => made.query(this.runQuery.rootValue, context, {}) as ExecutionResult
        : (context) =>
            execute({
              schema: this.schema,
              document,
              contextValue: context,
              ...this.runQuery,
            }) as ExecutionResult;
      if (this.queries.size >= 16) this.queries.clear();
      this.queries.set(text, query);
    }
    return query;
  }

  /** One object's line, then each of its nested connections' objects, each with `__parentId`. */
  private emit(
    node: Record<string, any>,
    shape: Shape,
    parentId: string | null,
    lines: string[],
    op: Operation,
  ): void {
    // Its nested connections are left out of its own line: JSON.stringify skips a property set to undefined,
    // and setting it back keeps the object's shape (copying or deleting would not).
    const nested = shape.map(({ key }) => node[key] as unknown);
    for (const { key } of shape) node[key] = undefined;
    const line = JSON.stringify(node);
    shape.forEach(({ key }, index) => (node[key] = nested[index]));
    lines.push(
      parentId === null
        ? line
        : `${line.length > 2 ? `${line.slice(0, -1)},` : '{'}"__parentId":${JSON.stringify(parentId)}}`,
    );
    op.objectCount++;
    for (const { key, shape: itemShape } of shape)
      for (const item of nodesOf(node[key])) this.emit(item, itemShape, node.id as string, lines, op);
  }

  /** Why Shopify would refuse this bulk query, or undefined. */
  private problemOf(document: DocumentNode): string | undefined {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1) return 'Bulk queries must contain exactly one operation.';
    if (operations[0].operation !== OperationTypeNode.QUERY) return 'Bulk queries cannot contain mutations.';
    const roots = fieldsOf(operations[0].selectionSet);
    if (roots.length !== 1) return 'Bulk queries must contain exactly one top level field.';
    const rootType = fieldType(this.schema.getQueryType()!, roots[0].name.value);
    // A limit of this emulator, not of Shopify: a top-level object holding a connection is not exported here.
    if (!rootType || !isConnection(rootType))
      return `the sandbox exports only a top-level connection (customers, products, orders, …), not ${roots[0].name.value}`;
    let connections = 0;
    const missingId: string[] = [];
    let tooDeep = false;
    const walk = (
      type: GraphQLCompositeType,
      selection: SelectionSetNode,
      depth: number,
      nodeLevel: boolean,
    ) => {
      for (const field of fieldsOf(selection)) {
        const named = fieldType(type, field.name.value);
        if (!named || !field.selectionSet || !isCompositeType(named)) continue;
        if (isConnection(named)) {
          connections++;
          if (depth >= 2) tooDeep = true;
          if (depth >= 1 && nodeLevel && !selectsId(selection)) missingId.push(field.name.value);
          walk(connectionNodeType(named), nodeSelection(field.selectionSet), depth + 1, true);
        } else walk(named, field.selectionSet, depth, false);
      }
    };
    walk(this.schema.getQueryType()!, operations[0].selectionSet, 0, false);
    if (connections === 0) return 'Bulk queries must contain at least one connection.';
    if (connections > 5) return 'Bulk queries cannot contain more than 5 connections.';
    if (tooDeep) return 'Bulk queries cannot contain connections with a nesting depth greater than 2.';
    if (missingId.length > 0)
      return `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of type 'ID!'. Invalid connection fields: ${missingId.map((name) => `'${name}'`).join(', ')}`;
    return undefined;
  }
}

/** The nested connections an object's selection holds (by response key), each with its items' own: worked out once per export. */
type Shape = { key: string; shape: Shape }[];

function shapeOf(type: GraphQLCompositeType, selection: SelectionSetNode): Shape {
  return fieldsOf(selection).flatMap((field) => {
    const named = fieldType(type, field.name.value);
    if (!named || !isConnection(named) || !field.selectionSet) return [];
    return [
      {
        key: field.alias?.value ?? field.name.value,
        shape: shapeOf(connectionNodeType(named), nodeSelection(field.selectionSet)),
      },
    ];
  });
}

function refusal(code: string, message: string) {
  return { bulkOperation: null, userErrors: [{ field: ['query'], message, code }] };
}

/** A selection's fields, inline fragments' fields included. */
function fieldsOf(selection: SelectionSetNode): FieldNode[] {
  return selection.selections.flatMap((s) =>
    s.kind === Kind.FIELD ? [s] : s.kind === Kind.INLINE_FRAGMENT ? fieldsOf(s.selectionSet) : [],
  );
}

function fieldType(type: GraphQLCompositeType, name: string): GraphQLCompositeType | undefined {
  if (!(isObjectType(type) || isInterfaceType(type))) return undefined;
  const field = type.getFields()[name];
  const named = field && getNamedType(field.type);
  return named && isCompositeType(named) ? named : undefined;
}

const isConnection = (type: GraphQLCompositeType) => isObjectType(type) && type.name.endsWith('Connection');

function connectionNodeType(connection: GraphQLCompositeType): GraphQLCompositeType {
  return fieldType(connection, 'nodes')!;
}

/** What is selected on each node of a connection, through `nodes { … }` or `edges { node { … } }`. */
function nodeSelection(connection: SelectionSetNode): SelectionSetNode {
  const selections = fieldsOf(connection).flatMap((field) => {
    if (field.name.value === 'nodes') return field.selectionSet?.selections ?? [];
    if (field.name.value === 'edges')
      return (
        fieldsOf(field.selectionSet!).find((f) => f.name.value === 'node')?.selectionSet?.selections ?? []
      );
    return [];
  });
  return { kind: Kind.SELECTION_SET, selections };
}

const selectsId = (selection: SelectionSetNode) =>
  fieldsOf(selection).some((field) => field.name.value === 'id' && !field.alias);

function nodesOf(connection: unknown): Record<string, any>[] {
  const value = connection as {
    nodes?: Record<string, any>[];
    edges?: { node: Record<string, any> }[];
  } | null;
  return value?.nodes ?? value?.edges?.map((edge) => edge.node) ?? [];
}
