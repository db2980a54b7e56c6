//! Blocking work as a future: the CLI's HTTP clients are blocking (ureq), and the core's lookups
//! and fetches are futures that an analysis joins. Each request runs on a thread of its own and
//! its future completes when the thread ends, so that joined requests are in flight together.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// The result of the work, and the waker of the task waiting for it.
type Slot<T> = Arc<Mutex<(Option<T>, Option<Waker>)>>;

/// A future that completes when the thread has put its result in the slot: `None` when the
/// thread panicked (a poisoned lock), which callers report as a failed request.
pub struct ThreadResult<T>(Slot<T>);

impl<T> Future for ThreadResult<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut slot) = self.0.lock() else {
            return Poll::Ready(None);
        };
        match slot.0.take() {
            Some(result) => Poll::Ready(Some(result)),
            None => {
                slot.1 = Some(context.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Runs `work` on a new thread named `name`; the error is the operating system's refusal to
/// start one.
pub fn spawn<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<ThreadResult<T>, std::io::Error> {
    let slot: Slot<T> = Arc::new(Mutex::new((None, None)));
    let sender = Arc::clone(&slot);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let result = work();
            if let Ok(mut slot) = sender.lock() {
                slot.0 = Some(result);
                if let Some(waker) = slot.1.take() {
                    waker.wake();
                }
            }
        })?;
    Ok(ThreadResult(slot))
}
