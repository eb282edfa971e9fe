//! Every item of a list method handed to the host page by page, for hosts that build their own values
//! from each page (the Qore module): no text of all the items at once, and the next page is fetched
//! while the host converts this one.

use std::ffi::{c_char, c_void};

use super::client::client_arg;
use super::client::qgcal_client;
use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{json_arg, str_arg};
use crate::calendar::pager::{Pager, TextPage};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime;

/// Receives one page of a `qgcal_list_each`: `items_json` is a JSON array of Google's items (checked and
/// made compact), `len` bytes long and NUL-terminated, holding `count` items; valid only during the call.
/// Answer true to go on, false to stop.
pub type qgcal_page_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        items_json: *const c_char,
        len: usize,
        count: usize,
    ) -> bool,
>;

/// `qgcal_list_all`, page by page: calls `on_page` on the calling thread with the items of each page that
/// has any, in order, while the next page is already being fetched; stops after `max_items` (0: no limit). When `on_page`
/// answers false it stops and answers `QGCAL_CANCELLED`. On an error the pages handed so far stay handed.
/// A blocking qgcal call made from inside `on_page` answers `QGCAL_REENTRANT_CALL`.
///
/// # Safety
/// Pointers are NULL or valid as their names say; `on_page` is NULL or a function that may be called with
/// `userdata` on this thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_list_each(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    max_items: u64,
    on_page: qgcal_page_callback,
    userdata: *mut c_void,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all three): forwarded contract.
        let client = unsafe { client_arg(client) }?;
        let method = unsafe { str_arg(method, "method") }?;
        let params = unsafe { json_arg(params_json, "params_json") }?;
        let on_page = on_page.ok_or_else(|| {
            qgcal_error::new(
                qgcal_status::QGCAL_NULL_ARGUMENT,
                "argument `on_page` is NULL",
            )
        })?;
        let pager = Pager::new(client.clone(), method, &params)?;
        let limit = match usize::try_from(max_items) {
            Ok(0) | Err(_) => usize::MAX,
            Ok(n) => n,
        };
        runtime::block_on(each_page(pager, limit, |page| {
            // `append_items_to` joins with a comma, as after an earlier page: after the bracket that comma
            // becomes a space, so the page is copied once.
            let mut items = vec![b'['];
            page.append_items_to(&mut items);
            if items.len() > 1 {
                items[1] = b' ';
            }
            items.reserve_exact(2);
            items.extend_from_slice(b"]\0");
            // SAFETY: the contract of `on_page`; the text lives until it returns.
            unsafe { on_page(userdata, items.as_ptr().cast(), items.len() - 1, page.count) }
        }))?;
        Ok(())
    })
}

/// Hands every page to `hand` in order, fetching the next on the runtime meanwhile.
async fn each_page(
    pager: Pager,
    limit: usize,
    mut hand: impl FnMut(&TextPage) -> bool,
) -> Result<()> {
    let mut next = Prefetch::start(pager, limit);
    let mut seen = 0;
    while let Some(fetching) = next.take() {
        let (pager, page) = fetching.finish().await?;
        let Some(page) = page? else {
            return Ok(());
        };
        seen += page.count;
        if page.more && seen < limit {
            next = Prefetch::start(pager, limit - seen);
        }
        if page.count > 0 && !hand(&page) {
            return Err(Error::new(
                ErrorKind::Cancelled,
                "the page callback stopped the listing",
            ));
        }
    }
    Ok(())
}

/// A page being fetched on the runtime; dropped unfinished, the fetch is abandoned.
struct Prefetch(tokio::task::JoinHandle<(Pager, Result<Option<TextPage>>)>);

impl Prefetch {
    fn start(mut pager: Pager, limit: usize) -> Option<Prefetch> {
        Some(Prefetch(tokio::spawn(async move {
            let page = pager.next_page_text(limit).await;
            (pager, page)
        })))
    }

    async fn finish(mut self) -> Result<(Pager, Result<Option<TextPage>>)> {
        let joined = (&mut self.0).await;
        joined.map_err(|e| {
            Error::new(
                if e.is_panic() {
                    ErrorKind::Panic
                } else {
                    ErrorKind::ShutDown
                },
                "internal error: fetching the next page did not finish",
            )
        })
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}
