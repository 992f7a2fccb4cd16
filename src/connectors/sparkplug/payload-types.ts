/**
 * The decoded shape of a Sparkplug B payload: what decodePayload returns and encodePayload takes.
 * Field names follow the spec's proto fields in camelCase.
 * @module
 */

/**
 * A scalar as it appears in DataSet cells, template parameters and property values.
 * Int64 and UInt64 are bigint so no precision is lost; every other integer is a number.
 */
export type SpScalar = number | bigint | boolean | string;

/**
 * A metric value, by datatype:
 * - Int8/16/32, UInt8/16/32, Float, Double: number (signed types already sign-extended)
 * - Int64, UInt64: bigint; DateTime: number (epoch ms)
 * - Boolean: boolean; String, Text, UUID: string
 * - Bytes, File and every packed array type (22..34): Uint8Array, the raw bytes_value
 *   (see arrays.ts `unpackArray`/`packArray` for the element values)
 * - DataSet: SpDataSet; Template: SpTemplate
 * - null when the metric is null (isNull); undefined when a metric carries no value at all.
 *
 * A data metric may omit its datatype (the spec advises it), in which case integers come back
 * as the wire has them (int_value as an unsigned number, long_value as an unsigned bigint) until
 * the birth's datatype is applied with `interpretInt`.
 */
export type SpValue = number | bigint | boolean | string | Uint8Array | SpDataSet | SpTemplate | null;

/** One metric: a named (or aliased), typed, timestamped value. */
export interface SpMetric {
  name?: string;
  alias?: number;
  /** Epoch ms, UTC: when the value was captured. */
  timestamp?: number;
  /** A `DataType` number. Required in births, usually absent in data messages. */
  datatype?: number;
  isHistorical?: boolean;
  /** Transient metrics matter to hosts but should not be stored in a historian. */
  isTransient?: boolean;
  isNull?: boolean;
  value?: SpValue;
  properties?: SpPropertySet;
  metadata?: SpMetaData;
}

/** One Sparkplug B payload. */
export interface SpPayload {
  /** Epoch ms, UTC: when the message was published. */
  timestamp?: number;
  metrics: SpMetric[];
  /** 0..255, increasing by one per message of an edge node; absent only on NDEATH. */
  seq?: number;
  uuid?: string;
  body?: Uint8Array;
}

/** A table. `types` holds one DataType number per column; a null cell is a cell with no value. */
export interface SpDataSet {
  columns: string[];
  types: number[];
  rows: (SpScalar | null)[][];
}

/** A user-defined type: a definition (isDefinition, NBIRTH only) or an instance of one. */
export interface SpTemplate {
  version?: string;
  /** The name of the definition this instance refers to; absent on definitions. */
  templateRef?: string;
  isDefinition?: boolean;
  metrics: SpMetric[];
  parameters?: SpParameter[];
}

/** A template parameter: a named, typed scalar. */
export interface SpParameter {
  name?: string;
  type?: number;
  value?: SpScalar | null;
}

/** A property value; `type` is a DataType number (scalars, PropertySet or PropertySetList). */
export interface SpPropertyValue {
  type?: number;
  value: SpScalar | SpPropertySet | SpPropertySet[] | null;
}

/**
 * A property set as a map from key to value. The wire form is two parallel arrays; a map is
 * what callers look things up in (e.g. the spec's "Quality" property). Decoded sets have no
 * prototype, so a hostile key such as "__proto__" is just a key.
 */
export type SpPropertySet = Record<string, SpPropertyValue>;

/** Metadata describing binary values (files, multi-part transfers). */
export interface SpMetaData {
  isMultiPart?: boolean;
  contentType?: string;
  size?: number;
  seq?: number;
  fileName?: string;
  fileType?: string;
  md5?: string;
  description?: string;
}
