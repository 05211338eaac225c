/**
 * Applying an event to a sealed world in place, with every change journalled so it can be undone.
 * Frame bytes, pages and the pool's bookkeeping go through the frame pool's journal
 * (memory/frame-journal.ts); writes to the sealed maps and sets go through theirs
 * (kernel/map-journal.ts); the records the event type is known to change are copied as far as
 * its footprint says and put into their maps through that journal (kernel/footprint.ts); scalars
 * and statistics are saved and put back. An event that writes frozen data it was not known to
 * change throws before anything shared changed: everything is undone and the event applied
 * again with every map copied, which teaches the footprint. The world after `apply` is exactly
 * `cloneWorld` + `applyEvent`; after `undo` it is exactly the world before.
 *
 * Why: a checker state's successors differ from it in a few bytes and a map or two. Applying each
 * choice to the one expanded world and undoing it replaces a world fork, and a copy of every page
 * the choice writes, per successor.
 */
import type { ModelEvent } from '../events/types.js';
import { FrameUndo } from '../memory/frame-journal.js';
import { ALL_FRAMES } from '../memory/frames.js';
import type { Outcome } from '../model/outcome.js';
import { assignStats, copyStats, emptyWorld, RECORD_MAPS, SCALARS, type RecordMap, type Stats, type World } from '../model/world.js';
import { applyEvent } from './reduce.js';
import { forgetMachineSteps, machineStepsMark } from '../ops/machines.js';
import { copyFootprint, footprintOf, learnFootprint, mapsAndSets, type Footprint } from './footprint.js';
import { sameData, sameRecord, sameRecords } from './same-data.js';
import { holdSealed, keptWrite, openSealed, resumeSealed, sealWorld } from './seal.js';
import { MapUndo } from './map-journal.js';

type Maps = Pick<World, RecordMap>;

/**
 * The world's fields as they were, saved one by one: written out rather than looped over the
 * field lists, because a keyed loop over a dozen names cost more than the event itself.
 */
class Saved {
  pins!: World['pins'];
  mms!: World['mms'];
  vms!: World['vms'];
  containers!: World['containers'];
  groups!: World['groups'];
  devices!: World['devices'];
  devfds!: World['devfds'];
  kvmdevs!: World['kvmdevs'];
  domains!: World['domains'];
  tceTables!: World['tceTables'];
  zpci!: World['zpci'];
  qemuDmaLimits!: World['qemuDmaLimits'];
  arch!: World['arch'];
  kernel = 0;
  pageLimit = 0;
  design = '';
  nextDomain = 0;
  kvmAssociation!: World['kvmAssociation'];
  dmaEntryLimit = 0;
  stats!: Stats;
  /** The counters' values (the world keeps its own counters object: it is written in place and put back). */
  private readonly counts = copyStats(emptyWorld().stats);

  from(w: World): void {
    this.pins = w.pins; this.mms = w.mms; this.vms = w.vms; this.containers = w.containers; this.groups = w.groups; this.devices = w.devices;
    this.devfds = w.devfds; this.kvmdevs = w.kvmdevs; this.domains = w.domains; this.tceTables = w.tceTables; this.zpci = w.zpci; this.qemuDmaLimits = w.qemuDmaLimits;
    this.arch = w.arch; this.kernel = w.kernel; this.pageLimit = w.pageLimit; this.design = w.design; this.nextDomain = w.nextDomain;
    this.kvmAssociation = w.kvmAssociation; this.dmaEntryLimit = w.dmaEntryLimit; this.stats = w.stats;
    assignStats(this.counts, w.stats);
  }

  into(w: World): void {
    w.pins = this.pins; w.mms = this.mms; w.vms = this.vms; w.containers = this.containers; w.groups = this.groups; w.devices = this.devices;
    w.devfds = this.devfds; w.kvmdevs = this.kvmdevs; w.domains = this.domains; w.tceTables = this.tceTables; w.zpci = this.zpci; w.qemuDmaLimits = this.qemuDmaLimits;
    w.arch = this.arch; w.kernel = this.kernel; w.pageLimit = this.pageLimit; w.design = this.design; w.nextDomain = this.nextDomain;
    w.kvmAssociation = this.kvmAssociation; w.dmaEntryLimit = this.dmaEntryLimit; w.stats = this.stats;
    assignStats(w.stats, this.counts);
  }

  /**
   * Indices (into RECORD_MAPS) of the maps `w` holds other than these, or that were written in
   * place (bit i of `inPlace`: RECORD_MAPS[i]), into `out`; written out like `from` (a keyed loop costs more).
   */
  mapsChanged(w: World, inPlace: number, out: number[]): void {
    // emptied by pops: setting the length left the optimised code for the runtime on every move.
    while (out.length > 0) out.pop();
    const m = this.replaced(w) | inPlace;
    for (let i = 0; i < RECORD_MAPS.length; i++) if ((m & (1 << i)) !== 0) out.push(i);
  }

  /** Bit i set: `w` holds another map than these for RECORD_MAPS[i] (written out, as `from` is). */
  replaced(w: World): number {
    return (w.pins !== this.pins ? 1 << 0 : 0) | (w.mms !== this.mms ? 1 << 1 : 0) | (w.vms !== this.vms ? 1 << 2 : 0)
      | (w.containers !== this.containers ? 1 << 3 : 0) | (w.groups !== this.groups ? 1 << 4 : 0) | (w.devices !== this.devices ? 1 << 5 : 0)
      | (w.devfds !== this.devfds ? 1 << 6 : 0) | (w.kvmdevs !== this.kvmdevs ? 1 << 7 : 0) | (w.domains !== this.domains ? 1 << 8 : 0)
      | (w.tceTables !== this.tceTables ? 1 << 9 : 0) | (w.zpci !== this.zpci ? 1 << 10 : 0) | (w.qemuDmaLimits !== this.qemuDmaLimits ? 1 << 11 : 0);
  }

  scalarsSame(w: World): boolean {
    return w.arch === this.arch && w.kernel === this.kernel && w.pageLimit === this.pageLimit && w.design === this.design && w.nextDomain === this.nextDomain
      && w.kvmAssociation === this.kvmAssociation && w.dmaEntryLimit === this.dmaEntryLimit;
  }

  /** Whether `w`'s scalars are still these, and its maps these or equal to them. */
  same(w: World): boolean {
    if (!this.scalarsSame(w)) return false;
    const eq = (a: unknown, b: unknown) => a === b || sameData(a, b);
    return eq(w.pins, this.pins) && eq(w.mms, this.mms) && eq(w.vms, this.vms) && eq(w.containers, this.containers) && eq(w.groups, this.groups)
      && eq(w.devices, this.devices) && eq(w.devfds, this.devfds) && eq(w.kvmdevs, this.kvmdevs) && eq(w.domains, this.domains)
      && eq(w.tceTables, this.tceTables) && eq(w.zpci, this.zpci) && eq(w.qemuDmaLimits, this.qemuDmaLimits);
  }
}

// a field added to World must be saved too: these lists are what Saved writes out by hand.
const savedFields: readonly (keyof Saved)[] = [...RECORD_MAPS, ...SCALARS, 'stats'];
void savedFields;
// and mapsChanged numbers the maps in this order.
const mapOrder: readonly ['pins', 'mms', 'vms', 'containers', 'groups', 'devices', 'devfds', 'kvmdevs', 'domains', 'tceTables', 'zpci', 'qemuDmaLimits'] = RECORD_MAPS;
void mapOrder;

/** Each record map's index in RECORD_MAPS (mapsChanged's numbering). */
const MAP_INDEX: ReadonlyMap<string, number> = new Map(RECORD_MAPS.map((m, i) => [m, i]));

type Part = Exclude<keyof World, 'stats'>;

/**
 * A list of world parts sorted out once: its record maps as a mask (MAP_INDEX), whether it names
 * the frames, and the rest. Kept by the list: a list is read as it was when first asked about
 * (properties and scenarios pass constant lists).
 */
interface Parts {
  readonly maps: number;
  readonly frames: boolean;
  readonly others: readonly Part[];
}
const partsOfList = new WeakMap<readonly Part[], Parts>();
function partsOf(reads: readonly Part[]): Parts {
  let r = partsOfList.get(reads);
  if (r === undefined) {
    let maps = 0;
    const others: Part[] = [];
    for (const p of reads) {
      const i = MAP_INDEX.get(p);
      if (i !== undefined) maps |= 1 << i;
      else if (p !== 'frames') others.push(p);
    }
    partsOfList.set(reads, (r = { maps, frames: reads.includes('frames'), others }));
  }
  return r;
}

/** The undo record of one event applied in place. Reused: one journal per expansion in progress. */
export class WorldJournal {
  private readonly frames: FrameUndo;
  /** Writes to the sealed world's maps and sets, made in place (kernel/seal.ts). */
  private readonly maps = new MapUndo();
  private world: World | undefined;
  /** Every field as it was (every map too: a handler may assign a field outright). */
  private readonly saved = new Saved();
  /** Moves journalled so far, and per map whether this move changed it (move << 1 | changed), as `changed` found. */
  private moves = 0;
  private readonly asked = new Map<string, number>();
  /** Whether the move stays applied under another journal's (`hold`). */
  private held = false;

  /**
   * `undoOnly`: every move will be undone, never committed (the checker's expansion), so the frame
   * pool's bookkeeping shared with a clone is written in place and put back rather than copied.
   */
  constructor(undoOnly = false) {
    this.frames = new FrameUndo(undoOnly);
  }

  /** Starts journalling `w`, copying the record maps in `copied` (or all of them). */
  begin(w: World, copied: Footprint | 'all'): void {
    if (this.world) throw new Error('a world is already journalled');
    this.world = w;
    this.moves = (this.moves + 1) | 0;
    this.saved.from(w);
    // open first: the copies of records are put into the sealed maps through the journal.
    openSealed(this.maps);
    this.maps.copying = true;
    try {
      copyFootprint(w, copied, true);
    } finally {
      this.maps.copying = false;
    }
    this.frames.begin(w.frames);
  }

  /** Whether the world still equals what it was at `begin` (false when telling costs more than a hash). */
  unchanged(): boolean {
    if (this.maps.any() || !this.frames.unchanged() || !this.saved.same(this.world!)) return false;
    // records a footprint copied into the sealed maps: the same map, so compare the records.
    for (const f of RECORD_MAPS) if (this.maps.touched(f) && this.changed(f)) return false;
    return true;
  }

  /** Whether a sealed map or set of record map `part` was written in place (its content differs from its hash cached at `begin`). */
  writtenInPlace(part: string): boolean {
    return this.maps.touched(part);
  }

  /**
   * Indices into RECORD_MAPS of the maps the move replaced or wrote in place (a record copied in
   * counts: compare with `before` to tell). The array is the journal's, valid until the next call.
   */
  mapsChanged(): readonly number[] {
    this.saved.mapsChanged(this.world!, this.maps.touchedMask(MAP_INDEX), this.changedMaps);
    return this.changedMaps;
  }

  private readonly changedMaps: number[] = [];

  /** How many frames changed since `begin`. */
  touchedCount(): number {
    return this.frames.touchedCount();
  }

  /** The `i`th frame changed since `begin`, in order of first change. */
  touchedFrame(i: number): number {
    return this.frames.touchedFrame(i);
  }

  /** Whether touchedHash knows every touched frame's hash before the move. */
  touchedHashesKnown(): boolean {
    return this.frames.touchedHashesKnown();
  }

  /** Lane `lane` of the content hash touched frame `i` had before the move (0, 0: it held no bytes). */
  touchedHash(i: number, lane: 0 | 1): number {
    return this.frames.touchedHash(i, lane);
  }

  /** Whether frames were allocated, claimed or freed since `begin` (the pool's owners, free list or bump pointer changed). */
  bookkeepingChanged(): boolean {
    return this.frames.bookkeepingChanged();
  }

  /** Whether the world's scalars are those it had at `begin`. */
  scalarsSame(): boolean {
    return this.saved.scalarsSame(this.world!);
  }

  /**
   * Whether the move may have changed `part` of the world: a record map replaced by its copy, a
   * scalar with another value, any frame or frame bookkeeping changed ('frames').
   */
  changed(part: Exclude<keyof World, 'stats'>): boolean {
    if (part === 'frames') return this.frames.changedAny();
    if (this.maps.written(part)) return true;
    const now = (this.world as unknown as Record<string, unknown>)[part];
    const was = (this.saved as unknown as Record<string, unknown>)[part];
    const copiedIn = this.maps.touched(part);
    if (now === was && !copiedIn) return false;
    if (!(now instanceof Map)) return true;
    // records copied because the event type sometimes changes them: compare, once per move.
    const asked = this.asked.get(part);
    if (asked !== undefined && asked >> 1 === this.moves) return (asked & 1) === 1;
    const differs = now === was ? this.maps.copiesDiffer(part, sameRecord) : !sameRecords(was as ReadonlyMap<unknown, unknown>, now);
    this.asked.set(part, (this.moves << 1) | (differs ? 1 : 0));
    return differs;
  }

  /**
   * Whether the move may have changed anything in `reads` (world parts a property reads). With
   * `framesRead` (the frames the property read when last checked), `frames` counts as changed only
   * when one of those did (framesChangedFor); with `frameOwners` (the owners, by prefix, of the
   * frames it reads), only when a frame of such an owner did (framesOwnedChanged); without
   * either, when any frame did.
   */
  changedAny(reads: readonly Exclude<keyof World, 'stats'>[], framesRead?: ReadonlySet<number>, frameOwners?: readonly string[]): boolean {
    const r = partsOf(reads);
    // the record maps first, all at once: only one replaced or written can have changed, and most
    // moves write none of those a reader names (asking each by name cost more than the answer).
    if (r.maps !== 0) {
      const maybe = r.maps & (this.saved.replaced(this.world!) | this.maps.touchedMask(MAP_INDEX));
      if (maybe !== 0) for (let i = 0; i < RECORD_MAPS.length; i++) if ((maybe & (1 << i)) !== 0 && this.changed(RECORD_MAPS[i])) return true;
    }
    if (r.frames && (framesRead !== undefined ? this.framesChangedFor(framesRead) : frameOwners !== undefined ? this.framesOwnedChanged(frameOwners) : this.frames.changedAny())) return true;
    for (let i = 0; i < r.others.length; i++) if (this.changed(r.others[i])) return true;
    return false;
  }

  /**
   * Whether a property that read only the frames in `read` (ALL_FRAMES: any) may read something
   * else now: a frame it read changed, or frames were allocated or freed (owners changed).
   */
  framesChangedFor(read: ReadonlySet<number>): boolean {
    if (!this.frames.changedAny()) return false;
    if (read.has(ALL_FRAMES) || this.frames.bookkeepingChanged()) return true;
    for (let i = 0; i < this.frames.touchedCount(); i++) if (read.has(this.frames.touchedFrame(i))) return true;
    return false;
  }

  /**
   * Whether a property that reads only frames whose owner starts with one of `owners` may read
   * something else now: such a frame (or one with no owner) changed, or frames were allocated or
   * freed (which frame belongs to whom may have changed; otherwise every owner is as it was).
   */
  framesOwnedChanged(owners: readonly string[]): boolean {
    if (!this.frames.changedAny()) return false;
    if (this.frames.bookkeepingChanged()) return true;
    const owner = this.world!.frames.owner;
    for (let i = 0; i < this.frames.touchedCount(); i++) {
      const o = owner.get(this.frames.touchedFrame(i));
      if (o === undefined) return true;
      for (let k = 0; k < owners.length; k++) if (o.startsWith(owners[k])) return true;
    }
    return false;
  }

  /** The record maps as they were at `begin`. */
  before(): Maps {
    return this.saved;
  }

  /** Keeps the world as the event left it and stops journalling; the maps it replaced are sealed in turn. */
  commit(): void {
    if (this.held) throw new Error('a held move is undone, never kept');
    this.frames.commit();
    // a record map holding a map written for good is not what a hash cached for it says.
    for (const f of RECORD_MAPS) if (this.maps.touched(f)) keptWrite(this.world![f]);
    this.maps.commit();
    openSealed(undefined);
    sealWorld(this.world!);
    this.world = undefined;
  }

  /**
   * Keeps the move applied while another journal applies moves on top of it: the checker expands
   * a state rebuilt in place on its parent's world instead of a fork of it. What the move wrote
   * is sealed as the world it went into is, so the moves on top change it only through their own
   * journal; their journal must be undone first, then this one's `undo` puts everything back.
   */
  hold(): void {
    if (this.held) throw new Error('the move is already held');
    this.maps.sealValues();
    sealWorld(this.world!);
    holdSealed();
    this.frames.hold();
    this.held = true;
  }

  /** Puts the world back exactly as it was at `begin`. */
  undo(): void {
    if (this.held) {
      resumeSealed(this.maps);
      this.frames.resume();
      this.held = false;
    }
    this.maps.undo();
    openSealed(undefined);
    this.frames.undo();
    this.saved.into(this.world!);
    this.world = undefined;
  }
}

/**
 * Applies `e` to the sealed world `w` in place, journalled in `j` (call `j.undo()` to put `w`
 * back). `run` and `footprint` as for applyForked. A throw leaves `w` as it was.
 */
export function applyInPlace(w: World, j: WorldJournal, e: ModelEvent, run: (w: World, e: ModelEvent) => Outcome = applyEvent, footprint: string = e.type): Outcome {
  const known = footprintOf(footprint);
  let refused: TypeError | undefined;
  if (known !== 'all') {
    j.begin(w, known);
    const mark = machineStepsMark();
    try {
      return run(w, e);
    } catch (err) {
      j.undo();
      if (!(err instanceof TypeError)) throw err;
      forgetMachineSteps(mark);
      // a frozen map refused a write before anything shared changed; the attempt is discarded.
      refused = err;
    }
  }
  j.begin(w, 'all');
  try {
    // a type that could not be learned is applied to a full copy every time: nothing to note then.
    const copied = known === 'all' ? undefined : mapsAndSets(w);
    const outcome = run(w, e);
    if (copied) learnFootprint(footprint, j.before(), w, copied, refused);
    return outcome;
  } catch (err) {
    j.undo();
    throw err;
  }
}
