import {
  type DocumentNode,
  type FieldNode,
  getNamedType,
  getNullableType,
  getVariableValues,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  NoDeprecatedCustomRule,
  type OperationDefinitionNode,
  OperationTypeNode,
  parse,
  type SelectionSetNode,
  typeFromAST,
  validate,
} from 'graphql';

/**
 * What a client sends, held to the official schema as the platform holds it, and stricter: no deprecated
 * field, argument, input field or enum value, in the document or in its variables (when given: they must
 * coerce to the declared types). A deprecated field is `waived`, not a mismatch, only where the replacement
 * its deprecation names is not in this version of the schema: there is nothing else to ask for.
 */
export function requestMismatches(
  schema: GraphQLSchema,
  query: string,
  variables?: Record<string, unknown>,
): { mismatches: string[]; waived: string[] } {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { mismatches: [(error as Error).message], waived: [] };
  }
  const mismatches = validate(schema, document).map((e) => e.message);
  const waived: string[] = [];
  for (const { message } of validate(schema, document, [NoDeprecatedCustomRule])) {
    const field = /^The field (\w+)\.(\w+) is deprecated\. .*?Use `(\w+)/s.exec(message);
    const type = field && schema.getType(field[1]);
    if (isObjectType(type) && !type.getFields()[field![3]])
      waived.push(`${field![1]}.${field![2]} (its replacement \`${field![3]}\` is not in this version)`);
    else mismatches.push(message);
  }
  if (mismatches.length > 0 || !variables) return { mismatches, waived };
  const operation = operationOf(document);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return { mismatches: coerced.errors.map((e) => e.message), waived };
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType;
    const name = definition.variable.name.value;
    deprecatedInputs(type, variables[name], `$${name}`, mismatches);
  }
  return { mismatches, waived };
}

function deprecatedInputs(type: GraphQLInputType, value: unknown, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const inner = getNullableType(type);
  if (isListType(inner)) {
    (Array.isArray(value) ? value : [value]).forEach((item, index) =>
      deprecatedInputs(inner.ofType, item, `${path}[${index}]`, errors),
    );
  } else if (isInputObjectType(inner)) {
    const fields = inner.getFields();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (field?.deprecationReason) errors.push(`${path}.${key} is deprecated: ${field.deprecationReason}`);
      if (field) deprecatedInputs(field.type, item, `${path}.${key}`, errors);
    }
  } else if (isEnumType(inner)) {
    const reason = inner.getValue(JSON.stringify(value).replace(/^"|"$/g, ''))?.deprecationReason;
    if (reason) errors.push(`${path} = ${JSON.stringify(value)} is deprecated: ${reason}`);
  }
}

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation in the document');
  return operation;
}

/**
 * An answer held to the schema's types for the document that asked for it: every requested key present,
 * none other, non-null fields not null, scalars and enums of their type, lists as lists, and each object
 * checked as its runtime type (its `__typename`, or the first possible type it matches). Counts the values.
 */
export function responseMismatches(
  schema: GraphQLSchema,
  query: string,
  data: unknown,
): { mismatches: string[]; values: number } {
  const document = parse(query);
  const operation = operationOf(document);
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const root =
    operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getQueryType();
  const found = { mismatches: [] as string[], values: 0 };

  const fieldsOf = (type: GraphQLObjectType, selections: SelectionSetNode, into: FieldNode[] = []) => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) into.push(selection);
      else {
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value)!;
        const condition = fragment.typeCondition?.name.value;
        const applies =
          !condition ||
          condition === type.name ||
          type.getInterfaces().some((i) => i.name === condition) ||
          (isAbstractType(schema.getType(condition)) &&
            schema.isSubType(schema.getType(condition) as never, type));
        if (applies) fieldsOf(type, fragment.selectionSet, into);
      }
    }
    return into;
  };

  const checkObject = (
    type: GraphQLObjectType,
    selections: SelectionSetNode,
    value: unknown,
    path: string,
  ) => {
    const errors: string[] = [];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${path}: expected a ${type.name} object, got ${JSON.stringify(value)}`];
    }
    const row = value as Record<string, unknown>;
    const wanted = new Set<string>();
    for (const field of fieldsOf(type, selections)) {
      const key = field.alias?.value ?? field.name.value;
      wanted.add(key);
      if (!(key in row)) {
        errors.push(`${path}.${key}: missing`);
        continue;
      }
      if (field.name.value === '__typename') {
        if (row[key] !== type.name) errors.push(`${path}.__typename: ${String(row[key])}, not ${type.name}`);
        continue;
      }
      const definition = type.getFields()[field.name.value];
      errors.push(...checkValue(definition.type, field.selectionSet, row[key], `${path}.${key}`));
    }
    for (const key of Object.keys(row)) if (!wanted.has(key)) errors.push(`${path}.${key}: not requested`);
    return errors;
  };

  const checkValue = (
    type: GraphQLOutputType,
    selections: SelectionSetNode | undefined,
    value: unknown,
    path: string,
  ): string[] => {
    found.values++;
    if (value === null) return isNonNullType(type) ? [`${path}: null for non-null ${String(type)}`] : [];
    const inner = getNullableType(type);
    if (isListType(inner)) {
      if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
      return value.flatMap((item, index) => checkValue(inner.ofType, selections, item, `${path}[${index}]`));
    }
    if (isScalarType(inner)) return scalarMismatch(inner.name, value, path);
    if (isEnumType(inner))
      return typeof value === 'string' && inner.getValue(value)
        ? []
        : [`${path}: ${JSON.stringify(value)} is not a ${inner.name}`];
    const named = getNamedType(inner);
    if (isObjectType(named)) return checkObject(named, selections!, value, path);
    // An interface or union: the runtime type its __typename names, else the first that fits.
    const possible = schema.getPossibleTypes(named as never);
    const typename = (value as { __typename?: string }).__typename;
    const candidates = typename ? possible.filter((t) => t.name === typename) : possible;
    let best: string[] | undefined;
    for (const candidate of candidates) {
      const errors = checkObject(candidate, selections!, value, path);
      if (errors.length === 0) return [];
      best ??= errors;
    }
    return best ?? [`${path}: ${String(typename)} is not a ${named.name}`];
  };

  found.mismatches = checkObject(root!, operation.selectionSet, data, 'data');
  return found;
}

function scalarMismatch(scalar: string, value: unknown, path: string): string[] {
  const fits = (() => {
    switch (scalar) {
      case 'Int':
        return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31;
      case 'Float':
        return typeof value === 'number' && Number.isFinite(value);
      case 'Boolean':
        return typeof value === 'boolean';
      case 'DateTime':
        return typeof value === 'string' && !Number.isNaN(Date.parse(value));
      case 'Decimal':
      case 'Money':
      case 'UnsignedInt64':
        return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
      case 'JSON':
        return true;
      default:
        return typeof value === 'string';
    }
  })();
  return fits ? [] : [`${path}: ${JSON.stringify(value)} is not a ${scalar}`];
}
