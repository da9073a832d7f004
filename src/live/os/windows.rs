//! Windows: a Toolhelp snapshot lists every thread of the system, which we filter to this
//! process; `GetThreadDescription` gives the name Rust's std sets.

use std::io;

use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcessId, GetCurrentThreadId, GetThreadDescription, OpenThread,
    THREAD_QUERY_LIMITED_INFORMATION,
};

use super::{OsError, OsState, OsThread};

pub(super) fn snapshot() -> Result<Vec<OsThread>, OsError> {
    // SAFETY: plain Win32 calls; every handle opened here is closed here.
    unsafe {
        let snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        if snap == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error().into());
        }
        let me = GetCurrentProcessId();
        let mut entry: THREADENTRY32 = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
        let mut threads = Vec::new();
        let mut more = Thread32First(snap, &mut entry) != 0;
        while more {
            if entry.th32OwnerProcessID == me {
                threads.push(OsThread {
                    id: u64::from(entry.th32ThreadID),
                    started: None,
                    name: description(entry.th32ThreadID),
                    // Toolhelp does not tell a thread's wait state.
                    state: OsState::Other("alive".into()),
                });
            }
            more = Thread32Next(snap, &mut entry) != 0;
        }
        CloseHandle(snap);
        Ok(threads)
    }
}

pub(super) fn current() -> Result<u64, OsError> {
    // SAFETY: no preconditions.
    Ok(u64::from(unsafe { GetCurrentThreadId() }))
}

/// The thread's description (its name), if it has one and we may read it.
fn description(id: u32) -> Option<String> {
    // SAFETY: the handle is closed before returning; the description is freed with LocalFree.
    unsafe {
        let handle = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, 0, id);
        if handle.is_null() {
            return None;
        }
        let mut text: windows_sys::core::PWSTR = std::ptr::null_mut();
        let ok = GetThreadDescription(handle, &mut text) >= 0 && !text.is_null();
        let name = ok.then(|| {
            let len = (0..).take_while(|&i| *text.add(i) != 0).count();
            String::from_utf16_lossy(std::slice::from_raw_parts(text, len))
        });
        if !text.is_null() {
            windows_sys::Win32::Foundation::LocalFree(text.cast());
        }
        CloseHandle(handle);
        name.filter(|s| !s.is_empty())
    }
}
