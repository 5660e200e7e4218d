/**
 * The tests' fake of the GPIO kernel layer is the driver's own simulated chip:
 * its "line fd" is the read end of a real non-blocking pipe.
 */
export { SimulatedGpio as FakeGpio } from "../../../driver/wiegand/sim/gpio.ts";
