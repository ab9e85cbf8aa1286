/**
 * What a city's services add to its infrastructure (from their templates), as
 * synthesis merges it in. Audit judges and diffs what will really run, so it
 * reads the same needs; a project whose templates cannot be read gets none
 * (validation reports why).
 */
import type { ResolvedCity } from '../manifest/model';
import type { ServiceNeeds } from '../manifest/templates';
import { serviceNeedsFor } from '../synth/synth-city';

export function serviceNeedsOrNone(city: ResolvedCity, project: string): ServiceNeeds[] {
  if (city.services.length === 0) return [];
  try {
    return serviceNeedsFor(city, project);
  } catch {
    return [];
  }
}
