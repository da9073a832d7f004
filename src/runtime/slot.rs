//! How a facade object made by a `const fn new` (a `static` lock, or any value, since `new` cannot
//! tell where it runs) reaches its model: [`Slot`], attached lazily on first use in each
//! execution; and how an execution keeps other OS threads off the data while its model threads
//! hold a lock: [`Gate`], the real lock held for the execution.
//!
//! A `Slot` caches the execution serial and object id it was last attached with. A value used
//! by one execution at a time (every value made inside a check, and statics used by one check)
//! finds its model there. A value shared by two executions running at once on two OS threads
//! (a `static` used by two checks) overwrites the cache in turns, so each execution also keeps
//! its own map from the slot's address to its object ([`Slots`]); a slot that drops leaves the
//! map, so another value built at the same address starts afresh.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::object::State;
use super::{current, Exec, Handle, Loc, ObjId};

/// The executions that have started and not ended, by serial.
static LIVE: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Execution `serial` starts.
pub(crate) fn started(serial: u64) {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(serial);
}

/// Execution `serial` has ended.
pub(crate) fn ended(serial: u64) {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|s| *s != serial);
}

/// Whether execution `serial` has started and not ended.
pub(crate) fn live(serial: u64) -> bool {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(&serial)
}

/// Serial and id packed in one word: the serial above, the id in the low bits.
const ID_BITS: u32 = 24;
/// A slot attached with a serial or id too large to pack: found through the map only.
const UNPACKED: u64 = u64::MAX;

fn pack(serial: u64, id: ObjId) -> u64 {
    if serial < (1 << (64 - ID_BITS)) - 1 && (id as u64) < (1 << ID_BITS) {
        (serial << ID_BITS) | id as u64
    } else {
        UNPACKED
    }
}

fn unpack(word: u64) -> Option<(u64, ObjId)> {
    (word != 0 && word != UNPACKED)
        .then_some((word >> ID_BITS, (word & ((1 << ID_BITS) - 1)) as ObjId))
}

/// What one execution has attached by address: the slots it has seen.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    by_addr: HashMap<usize, ObjId>,
    by_id: HashMap<ObjId, usize>,
}

impl Slots {
    fn insert(&mut self, addr: usize, id: ObjId) {
        if let Some(old) = self.by_addr.insert(addr, id) {
            self.by_id.remove(&old);
        }
        if let Some(old) = self.by_id.insert(id, addr)
            && old != addr
        {
            self.by_addr.remove(&old);
        }
    }

    fn remove(&mut self, id: ObjId) {
        if let Some(addr) = self.by_id.remove(&id)
            && self.by_addr.get(&addr) == Some(&id)
        {
            self.by_addr.remove(&addr);
        }
    }
}

/// A facade object's way to its model: where it was made, and the model it was last attached
/// to (execution serial and object id, packed). Made by a `const fn`.
#[derive(Debug)]
pub(crate) struct Slot {
    at: Loc,
    cache: AtomicU64,
}

impl Slot {
    /// A slot not attached to any execution, made where the caller was called from.
    #[track_caller]
    pub(crate) const fn new() -> Slot {
        Slot {
            at: std::panic::Location::caller(),
            cache: AtomicU64::new(0),
        }
    }

    fn addr(&self) -> usize {
        self as *const Slot as usize
    }

    /// The object's model in `exec`, made on first use there with the state `init` gives.
    pub(crate) fn handle<S: State>(&self, exec: &Exec, init: impl FnOnce() -> S) -> Handle {
        let word = self.cache.load(Ordering::Acquire);
        let addr = self.addr();
        if let Some((serial, id)) = unpack(word)
            && serial == exec.serial
        {
            let mut slots = exec.slots.borrow_mut();
            if slots.by_id.get(&id) != Some(&addr) {
                // Moved since it was attached: its old address is free for another value.
                slots.insert(addr, id);
            }
            return Handle { serial, id };
        }
        if word != 0 {
            // Attached before, maybe by this execution while another overwrote the cache.
            let known = exec.slots.borrow().by_addr.get(&addr).copied();
            if let Some(id) = known {
                self.cache.store(pack(exec.serial, id), Ordering::Release);
                return Handle {
                    serial: exec.serial,
                    id,
                };
            }
        }
        let state = init();
        let handle = exec.new_object(self.at, state);
        exec.slots.borrow_mut().insert(addr, handle.id);
        self.cache
            .store(pack(exec.serial, handle.id), Ordering::Release);
        handle
    }

    /// The object's model in `exec`, if it has one there already.
    pub(crate) fn attached(&self, exec: &Exec) -> Option<Handle> {
        let word = self.cache.load(Ordering::Acquire);
        if let Some((serial, id)) = unpack(word)
            && serial == exec.serial
        {
            return Some(Handle { serial, id });
        }
        if word == 0 {
            return None;
        }
        let id = exec.slots.borrow().by_addr.get(&self.addr()).copied()?;
        Some(Handle {
            serial: exec.serial,
            id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let word = *self.cache.get_mut();
        if word == 0 {
            // Never used inside a check: the usual case outside one.
            return;
        }
        let Some(exec) = current() else {
            return;
        };
        let id = match unpack(word) {
            Some((serial, id)) if serial == exec.serial => Some(id),
            Some(_) => None,
            None => exec.slots.borrow().by_addr.get(&self.addr()).copied(),
        };
        if let Some(id) = id
            && let Ok(mut slots) = exec.slots.try_borrow_mut()
        {
            slots.remove(id);
        }
    }
}

/// The real lock of a facade object, held on behalf of one execution while any of its model
/// threads holds the object (a model decides who holds it within the execution; the real lock
/// keeps another execution, or code outside any check, off the data meanwhile).
///
/// The execution that holds it (its serial in `owner`) counts its holds; the first takes the
/// real lock (waiting while another OS thread holds it, see [`Gate::enter`]), the last releases
/// it. So model threads
/// of one execution, which share one OS thread, never wait for each other here, even while a
/// stopped execution's threads unwind and drop guards in any order.
///
/// A stopped execution's threads may never drop their guards (the shuttle engine leaks the
/// stacks of a stopped execution's threads rather than unwinding them), so an execution that has
/// ended may still own a gate. Whoever next finds the real lock taken checks: if its owner has
/// ended, it takes the guard the owner left and releases it ([`Gate::clear_stale`]). Gates are
/// only touched through their object, so an object that nobody can reach any more (on a leaked
/// stack) is never touched.
pub(crate) struct Gate<G> {
    owner: AtomicU64,
    /// Holds of the owner; only the owner's OS thread reads or writes it.
    count: AtomicUsize,
    /// The real guard, and the address of the gate when it was taken; only the owner's OS
    /// thread reads or writes it.
    held: UnsafeCell<Option<(usize, G)>>,
}

// SAFETY: `held` and `count` are only touched by the OS thread of the execution whose serial is
// in `owner`, which has the real lock: the real lock orders one owner's accesses before the
// next's. A guard left in the gate (a facade guard forgotten) is dropped by whoever drops the
// gate, or forgotten if the gate has moved since (see `Drop`).
unsafe impl<G> Sync for Gate<G> {}
// SAFETY: as above.
unsafe impl<G> Send for Gate<G> {}

impl<G> std::fmt::Debug for Gate<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("owner", &self.owner.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<G> Gate<G> {
    pub(crate) const fn new() -> Self {
        Gate {
            owner: AtomicU64::new(0),
            count: AtomicUsize::new(0),
            held: UnsafeCell::new(None),
        }
    }

    /// One more hold for execution `serial`; the first takes the real lock with `take`.
    ///
    /// The real lock is never waited for by blocking the OS thread while this execution's other
    /// threads could run: they might hold what the holder (another check's execution, or code
    /// outside any check) waits for. While they can run, the thread lets them (a scheduling
    /// point) and tries again; when none can, it waits for the holder, in real time.
    pub(crate) fn enter(&self, serial: u64, mut try_take: impl FnMut() -> Option<G>) {
        if self.owner.load(Ordering::Acquire) == serial {
            self.count.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut tries = 0u32;
        let guard = loop {
            if let Some(guard) = try_take() {
                break guard;
            }
            self.clear_stale();
            if let Some(guard) = try_take() {
                break guard;
            }
            tries = tries.saturating_add(1);
            if let Some(exec) = current().filter(|e| e.serial == serial && !e.closed())
                && others_can_run(&exec)
            {
                exec.backend.yield_now();
            }
            // The holder runs on another OS thread: give it time.
            std::thread::sleep(std::time::Duration::from_micros(u64::from(tries.min(100))));
        };
        // SAFETY: this thread now has the real lock (see the `Sync` impl).
        let stale = unsafe { (*self.held.get()).replace((self as *const Self as usize, guard)) };
        // A guard still here cannot hold the real lock (this thread just took it): one left by
        // an execution that ended while the object moved, pointing at where it was. Dropping it
        // would touch that place: forget it.
        std::mem::forget(stale);
        self.count.store(1, Ordering::Relaxed);
        self.owner.store(serial, Ordering::Release);
    }

    /// One hold fewer for execution `serial`; the last releases the real lock (drops its
    /// guard).
    pub(crate) fn exit(&self, serial: u64) {
        if self.owner.load(Ordering::Acquire) != serial {
            return;
        }
        if self.count.fetch_sub(1, Ordering::Relaxed) > 1 {
            return;
        }
        self.owner.store(0, Ordering::Release);
        // SAFETY: this thread has the real lock until the guard drops.
        let held = unsafe { (*self.held.get()).take() };
        self.release(held);
    }

    /// Drops a hold taken from `held`, unless the gate has moved since it was taken: then the
    /// guard points at the old place, and is forgotten (as `Drop` does).
    fn release(&self, held: Option<(usize, G)>) {
        if let Some((addr, guard)) = held {
            if addr == self as *const Self as usize {
                drop(guard);
            } else {
                std::mem::forget(guard);
            }
        }
    }

    /// If the gate is owned by an execution that has ended (its threads' guards were never
    /// dropped), releases the real lock it left held. Called by whoever finds the real lock
    /// taken, before waiting for it.
    #[cold]
    pub(crate) fn clear_stale(&self) {
        let owner = self.owner.load(Ordering::Acquire);
        if owner == 0 || owner == STEALING || live(owner) {
            return;
        }
        if self
            .owner
            .compare_exchange(owner, STEALING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        // SAFETY: the owner has ended, so nothing of it touches the gate any more, and the
        // exchange above made this thread the only one to take over.
        let held = unsafe { (*self.held.get()).take() };
        self.count.store(0, Ordering::Relaxed);
        self.owner.store(0, Ordering::Release);
        self.release(held);
    }
}

/// Whether a thread of `exec` other than the current one can run.
fn others_can_run(exec: &Exec) -> bool {
    let me = exec.me();
    exec.reg
        .try_borrow()
        .map(|reg| {
            reg.threads
                .iter()
                .enumerate()
                .any(|(t, r)| t != me && r.is_runnable())
        })
        .unwrap_or(false)
}

/// The owner of a gate whose ended owner's guard is being released.
const STEALING: u64 = u64::MAX;

/// A raw lock held by a gate: unlocks it when it drops. Made for a lock at a fixed place (a
/// field of the same object as the gate; the gate forgets it if the object moves).
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) struct RawHold {
    lock: *const (),
    unlock: unsafe fn(*const ()),
}

#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
impl RawHold {
    /// A hold of the locked raw lock at `lock`, which `unlock` unlocks.
    ///
    /// # Safety
    /// The lock at `lock` is locked, and `unlock(lock)` unlocks it once.
    pub(crate) unsafe fn new<L>(lock: &L, unlock: unsafe fn(*const ())) -> RawHold {
        RawHold {
            lock: lock as *const L as *const (),
            unlock,
        }
    }
}

impl Drop for RawHold {
    fn drop(&mut self) {
        // SAFETY: see `new`; the gate drops a hold only while its lock is where it was.
        unsafe { (self.unlock)(self.lock) }
    }
}

impl<G> Drop for Gate<G> {
    fn drop(&mut self) {
        if let Some((addr, guard)) = self.held.get_mut().take()
            && addr != self as *const Self as usize
        {
            // Moved while held (its facade guard was forgotten): the guard points at the old
            // place. The lock stays held, as std's would with a forgotten guard.
            std::mem::forget(guard);
        }
    }
}
