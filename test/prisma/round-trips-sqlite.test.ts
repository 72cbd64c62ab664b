import { roundTripsSuite } from "./round-trips-suite.js";

roundTripsSuite("sqlite");
