/** Conformance cycle of thessaloniki production against the sandbox (see support/city-suite.ts). */
import { cityConformanceSuite } from './support/city-suite';

cityConformanceSuite('thessaloniki');
