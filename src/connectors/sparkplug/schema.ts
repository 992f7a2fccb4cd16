/**
 * The Sparkplug B schema, parsed once at module load with protobufjs's .proto parser.
 *
 * The hot path (Payload and Metric) is read and written field by field with protobufjs's
 * Reader and Writer in wire-decode.ts / wire-encode.ts, because the reflected decoder allocates
 * a message object plus a Long per 64-bit field for every metric. The rarer nested messages
 * (DataSet, PropertySet, MetaData, template Parameter) go through these reflected types. The
 * whole reflected Payload type is exported too, so tests can check the fast path against it.
 * @module
 */
import protobuf from 'protobufjs';
import { SPARKPLUG_B_PROTO } from './sparkplug-proto.js';

/** protobufjs's Reader, Writer and Type, re-exported so the codec files share one import. */
export const { Reader, Writer } = protobuf;
/** A protobufjs wire reader. */
export type Reader = protobuf.Reader;
/** A protobufjs wire writer. */
export type Writer = protobuf.Writer;

const root = protobuf.parse(SPARKPLUG_B_PROTO).root;
const PKG = 'lightsout.sparkplug.Payload';

/** The reflected top-level Payload type (reference decoder for tests and tools). */
export const PayloadType = root.lookupType(PKG);
/** Reflected Payload.DataSet. */
export const DataSetType = root.lookupType(`${PKG}.DataSet`);
/** Reflected Payload.PropertySet. */
export const PropertySetType = root.lookupType(`${PKG}.PropertySet`);
/** Reflected Payload.MetaData. */
export const MetaDataType = root.lookupType(`${PKG}.MetaData`);
/** Reflected Payload.Template.Parameter. */
export const ParameterType = root.lookupType(`${PKG}.Template.Parameter`);

/** Field numbers of Payload, fixed by the spec. */
export const PayloadField = { timestamp: 1, metrics: 2, seq: 3, uuid: 4, body: 5 } as const;

/** Field numbers of Payload.Metric, fixed by the spec. */
export const MetricField = {
  name: 1,
  alias: 2,
  timestamp: 3,
  datatype: 4,
  isHistorical: 5,
  isTransient: 6,
  isNull: 7,
  metadata: 8,
  properties: 9,
  intValue: 10,
  longValue: 11,
  floatValue: 12,
  doubleValue: 13,
  booleanValue: 14,
  stringValue: 15,
  bytesValue: 16,
  datasetValue: 17,
  templateValue: 18,
  extensionValue: 19,
} as const;

/** Field numbers of Payload.Template, fixed by the spec. */
export const TemplateField = { version: 1, metrics: 2, parameters: 3, templateRef: 4, isDefinition: 5 } as const;

/** Protobuf wire types. */
export const Wire = { varint: 0, fixed64: 1, delimited: 2, fixed32: 5 } as const;

/** The tag (key) varint of a field: field number and wire type. */
export function tagOf(field: number, wire: number): number {
  return (field << 3) | wire;
}

// Guard against drift between the hand-written field tables and the parsed schema: a mismatch
// here fails at module load, long before a payload is misread.
function checkFields(typeName: string, table: Record<string, number>): void {
  const type = root.lookupType(typeName);
  for (const [name, id] of Object.entries(table)) {
    if (type.fields[name]?.id !== id) throw new Error(`sparkplug schema: ${typeName}.${name} is not field ${id}`);
  }
}
checkFields(PKG, PayloadField);
checkFields(`${PKG}.Metric`, MetricField);
checkFields(`${PKG}.Template`, TemplateField);
