import { MultiBar, Presets } from 'cli-progress';
import type { EntityName } from '../canonical/entities';
import type { ProgressListener } from '../engine/progress';
import type { EntityCounters } from '../ledger/ledger.repository';

/** One bar per entity on a terminal; nothing at all when output is piped or --json. */
export function progressBars(enabled: boolean): ProgressListener & { stop(): void } {
  if (!enabled) return { stop: () => undefined };
  const bars = new MultiBar(
    {
      format:
        ' {entity} |{bar}| {value}/{total} | created {created} updated {updated} unchanged {unchanged} quarantined {quarantined} failed {failed} skipped {skipped} merged {merged}',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const byEntity = new Map<EntityName, ReturnType<MultiBar['create']>>();
  const payload = (entity: EntityName, counters: EntityCounters) => ({
    entity: entity.padEnd(9),
    ...counters,
  });
  return {
    entityStarted(entity, total, counters) {
      byEntity.set(
        entity,
        bars.create(total ?? counters.extracted, counters.extracted, payload(entity, counters)),
      );
    },
    pageDone(entity, counters) {
      const bar = byEntity.get(entity);
      if (!bar) return;
      if (counters.extracted > bar.getTotal()) bar.setTotal(counters.extracted);
      bar.update(counters.extracted, payload(entity, counters));
    },
    entityFinished(entity, counters) {
      const bar = byEntity.get(entity);
      bar?.setTotal(counters.extracted);
      bar?.update(counters.extracted, payload(entity, counters));
    },
    stop: () => bars.stop(),
  };
}
