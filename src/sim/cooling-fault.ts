/**
 * Fault injection for demos and tests: a cooling failure of a simulated machine. A CNC mill's
 * coolant pump or a press's oil cooler fails on a remote call (`Commands/fault_coolant`,
 * `Commands/fault_oil_cooler`); from then on the cooled part gains heat while the machine runs,
 * and loses it again once the machine stands still. `reset` repairs the cooling. Nothing here
 * draws random numbers, so a seed replays the same plant whether or not a fault was injected
 * elsewhere.
 * @module
 */

/** Defaults of a {@link CoolingFault}. */
export const COOLING_FAULT_DEFAULTS = {
  /** Heating while running with failed cooling, °C per second of running. */
  heatPerS: 1.5,
  /** Time constant of losing the extra heat, seconds (stopped, or cooling repaired). */
  coolTauS: 30,
} as const;

/**
 * The extra heat of a failed cooling circuit, on top of what the machine's healthy model says.
 *
 * @example
 * const f = new CoolingFault();
 * f.fail();
 * const shown = f.apply(healthyTemp, runningS, dtS, 89.5); // healthy + extra heat, never above 89.5
 */
export class CoolingFault {
  /** Extra temperature over the healthy model, °C. */
  excess = 0;
  private failedNow = false;

  constructor(
    private readonly heatPerS: number = COOLING_FAULT_DEFAULTS.heatPerS,
    private readonly coolTauS: number = COOLING_FAULT_DEFAULTS.coolTauS,
  ) {}

  /** Whether the cooling is failed now. */
  get failed(): boolean {
    return this.failedNow;
  }

  /** The cooling fails (again: no change). */
  fail(): void {
    this.failedNow = true;
  }

  /** Repair the cooling; true when it was failed. The extra heat then goes with time. */
  repair(): boolean {
    const was = this.failedNow;
    this.failedNow = false;
    return was;
  }

  /**
   * Advance by `dtS` seconds of which `runningS` were spent running, and return the temperature
   * to report for a healthy value of `healthy`, at most `max` (the sensor's range: the extra heat
   * stops growing there rather than hiding above it).
   */
  apply(healthy: number, runningS: number, dtS: number, max: number): number {
    if (this.failedNow) this.excess += this.heatPerS * runningS;
    // With the cooling working the extra heat goes all the time; failed, only while stopped.
    const coolingS = this.failedNow ? Math.max(0, dtS - runningS) : dtS;
    if (coolingS > 0) this.excess *= Math.exp(-coolingS / this.coolTauS);
    if (this.excess < 0.005) this.excess = 0;
    this.excess = Math.min(this.excess, Math.max(0, max - healthy));
    return healthy + this.excess;
  }
}
