/**
 * OPC UA status codes as Lightsout qualities. The two top bits of a StatusCode give its severity
 * (OPC 10000-4 §7.39): 00 Good, 01 Uncertain, 10/11 Bad.
 * @module
 */
import type { Quality } from '../../core/point.js';

/** Quality of a StatusCode given as its 32-bit value. */
export function qualityOfStatus(code: number): Quality {
  const severity = (code >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}
