//! Keeps signals off the runtime's threads: the host (Qore) waits for them on a thread of its own.

use std::mem::MaybeUninit;

fn full_set() -> libc::sigset_t {
    let mut set = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigfillset initialises the set it is given.
    unsafe {
        libc::sigfillset(set.as_mut_ptr());
        set.assume_init()
    }
}

/// Blocks every signal on the calling thread (runs first thing on each runtime thread).
pub fn block_all_on_this_thread() {
    let set = full_set();
    // SAFETY: valid set pointer; a null old-set pointer is allowed.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Blocks every signal while alive and restores the previous mask on drop.
pub struct BlockAll {
    previous: libc::sigset_t,
}

impl BlockAll {
    pub fn new() -> Self {
        let set = full_set();
        let mut previous = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: both pointers are valid; pthread_sigmask fills `previous`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, previous.as_mut_ptr());
            BlockAll {
                previous: previous.assume_init(),
            }
        }
    }
}

impl Drop for BlockAll {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved in `new`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}
