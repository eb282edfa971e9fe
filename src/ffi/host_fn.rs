//! A host's callback as the library keeps it: the function, its userdata, and the `drop` told once
//! when the library lets go of them.

use std::ffi::c_void;

/// Called once with the userdata when its callback (token or log) is replaced or removed, or its client
/// freed, after the callback's last call.
pub type qgcal_drop_callback = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

pub(crate) struct HostFn<F: Copy> {
    pub call: F,
    pub userdata: *mut c_void,
    drop: qgcal_drop_callback,
}

// SAFETY: the setters' contracts make the host's callback and userdata usable from any thread.
unsafe impl<F: Copy> Send for HostFn<F> {}
unsafe impl<F: Copy> Sync for HostFn<F> {}

impl<F: Copy> HostFn<F> {
    /// Keeps `call` with its userdata; with no `call`, runs `drop` at once and answers `None`.
    ///
    /// # Safety
    /// `drop` is NULL or valid, and `userdata` is what the functions expect.
    pub unsafe fn new(
        call: Option<F>,
        userdata: *mut c_void,
        drop: qgcal_drop_callback,
    ) -> Option<HostFn<F>> {
        match call {
            Some(call) => Some(HostFn {
                call,
                userdata,
                drop,
            }),
            None => {
                if let Some(drop_fn) = drop {
                    // SAFETY: the host's function with the host's userdata, once.
                    unsafe { drop_fn(userdata) };
                }
                None
            }
        }
    }
}

impl<F: Copy> Drop for HostFn<F> {
    fn drop(&mut self) {
        if let Some(drop_fn) = self.drop {
            // SAFETY: the host's function with the host's userdata, once, after the last call.
            unsafe { drop_fn(self.userdata) };
        }
    }
}
