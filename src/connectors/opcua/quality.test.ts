import { describe, expect, it } from 'vitest';
import { StatusCodes } from 'node-opcua';
import { qualityOfStatus } from './quality.js';

describe('qualityOfStatus', () => {
  it('maps the severity bits of real status codes', () => {
    expect(qualityOfStatus(StatusCodes.Good.value)).toBe('good');
    expect(qualityOfStatus(StatusCodes.GoodClamped.value)).toBe('good');
    expect(qualityOfStatus(StatusCodes.UncertainLastUsableValue.value)).toBe('uncertain');
    expect(qualityOfStatus(StatusCodes.UncertainSensorNotAccurate.value)).toBe('uncertain');
    expect(qualityOfStatus(StatusCodes.BadSensorFailure.value)).toBe('bad');
    expect(qualityOfStatus(StatusCodes.BadNodeIdUnknown.value)).toBe('bad');
    expect(qualityOfStatus(StatusCodes.BadCommunicationError.value)).toBe('bad');
  });
});
