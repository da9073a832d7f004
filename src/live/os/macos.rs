//! macOS (and the other Apple platforms): `task_threads` lists the task's threads as Mach
//! ports, which we must release; `thread_info` gives each one's id and run state, and pthread
//! its name.

use std::ffi::CStr;
use std::io;
use std::mem::{size_of, MaybeUninit};

use mach2::kern_return::KERN_SUCCESS;
use mach2::mach_port::mach_port_deallocate;
use mach2::mach_types::thread_act_array_t;
use mach2::message::mach_msg_type_number_t;
use mach2::task::task_threads;
use mach2::traps::mach_task_self;
use mach2::vm::mach_vm_deallocate;

use super::{OsError, OsState, OsThread};

pub(super) fn snapshot() -> Result<Vec<OsThread>, OsError> {
    let mut list: thread_act_array_t = std::ptr::null_mut();
    let mut count: mach_msg_type_number_t = 0;
    // SAFETY: task_threads fills `list` with `count` ports it allocated in our address space.
    let kr = unsafe { task_threads(mach_task_self(), &mut list, &mut count) };
    if kr != KERN_SUCCESS {
        return Err(
            io::Error::other(format!("task_threads failed with kern_return_t {kr}")).into(),
        );
    }
    // SAFETY: `list` holds `count` ports, as task_threads said.
    let ports = unsafe { std::slice::from_raw_parts(list, count as usize) }.to_vec();
    let threads = ports.iter().filter_map(|&port| describe(port)).collect();
    for port in ports {
        // SAFETY: each port is a send right task_threads gave us; we release it once.
        unsafe { mach_port_deallocate(mach_task_self(), port) };
    }
    // SAFETY: the array is the one task_threads allocated, of `count` ports.
    unsafe {
        mach_vm_deallocate(
            mach_task_self(),
            list as u64,
            (count as usize * size_of::<mach2::mach_types::thread_act_t>()) as u64,
        )
    };
    Ok(threads)
}

pub(super) fn current() -> Result<u64, OsError> {
    let mut id = 0u64;
    // SAFETY: 0 names the calling thread; `id` is a valid out pointer.
    let rc = unsafe { libc::pthread_threadid_np(0, &mut id) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc).into());
    }
    Ok(id)
}

/// The thread behind `port`, or `None` if it exited while we looked.
fn describe(port: libc::mach_port_t) -> Option<OsThread> {
    let ident: libc::thread_identifier_info = info(port, libc::THREAD_IDENTIFIER_INFO)?;
    let basic: libc::thread_basic_info = info(port, libc::THREAD_BASIC_INFO)?;
    let state = match basic.run_state {
        libc::TH_STATE_RUNNING => OsState::Running,
        libc::TH_STATE_WAITING | libc::TH_STATE_UNINTERRUPTIBLE => OsState::Blocked(None),
        libc::TH_STATE_STOPPED => OsState::Other("stopped".into()),
        libc::TH_STATE_HALTED => OsState::Other("exiting".into()),
        other => OsState::Other(other.to_string()),
    };
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: the port names a live thread of this task; the buffer is as long as we say.
    let named = unsafe {
        let pthread = libc::pthread_from_mach_thread_np(port);
        pthread != 0 && libc::pthread_getname_np(pthread, buf.as_mut_ptr(), buf.len()) == 0
    };
    let name = named
        .then(|| {
            // SAFETY: pthread_getname_np wrote a NUL-terminated string into `buf`.
            unsafe { CStr::from_ptr(buf.as_ptr()) }
                .to_string_lossy()
                .into_owned()
        })
        .filter(|s| !s.is_empty());
    Some(OsThread {
        id: ident.thread_id,
        started: None,
        name,
        state,
    })
}

/// `thread_info` of one flavor, read into `T`.
fn info<T>(port: libc::mach_port_t, flavor: libc::c_int) -> Option<T> {
    let mut out = MaybeUninit::<T>::zeroed();
    let mut count = (size_of::<T>() / size_of::<libc::integer_t>()) as libc::mach_msg_type_number_t;
    // SAFETY: `out` has room for `count` integers, the size of the flavor's struct.
    let kr = unsafe {
        libc::thread_info(
            port,
            flavor as libc::thread_flavor_t,
            out.as_mut_ptr().cast(),
            &mut count,
        )
    };
    // SAFETY: thread_info filled the struct when it succeeded.
    (kr == libc::KERN_SUCCESS).then(|| unsafe { out.assume_init() })
}
