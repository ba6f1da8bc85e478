/** JsonType is a JSON Schema type name. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** JsonValue is any JSON value, for `enum`, `const` and `examples`. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * JsonSchema is the subset of JSON Schema (2020-12, the dialect of OpenAPI 3.1) that the API's
 * tables use: the body rules the dispatcher enforces and the OpenAPI document both read it.
 */
export interface JsonSchema {
  type?: JsonType | readonly JsonType[];
  description?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: readonly JsonValue[];
  const?: JsonValue;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  readOnly?: boolean;
  default?: JsonValue;
  examples?: readonly JsonValue[];
  oneOf?: readonly JsonSchema[];
  $ref?: string;
}

/** ScalarType is the type of a body field: the dispatcher checks these before a call runs. */
export type ScalarType = 'string' | 'integer' | 'boolean' | 'null';

/** FieldSchema is one body field: its JSON type(s) and what it means. */
export interface FieldSchema extends JsonSchema {
  type: ScalarType | readonly ScalarType[];
  description: string;
}

/** BodySpec is a call's JSON body: an object of known fields, some required, no others. */
export interface BodySpec {
  type: 'object';
  description?: string;
  properties: Readonly<Record<string, FieldSchema>>;
  required?: readonly string[];
  additionalProperties: false;
}

/** typesOf lists the JSON types a schema allows. */
export function typesOf(schema: { type?: JsonType | readonly JsonType[] }): readonly JsonType[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}
