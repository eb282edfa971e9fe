//! The embedded runtime inside a host: named threads with signals blocked, reentrancy refused, a forked
//! child refused without hanging. (Shutdown has its own test binary: it is permanent for the process.)

use qorus_gcal::ErrorKind;
use qorus_gcal::runtime;

#[test]
fn runtime_threads_are_named_and_block_every_signal() {
    // Spawned work runs on the workers (the blocking call's own future runs on the calling thread).
    let (name, blocked) = runtime::block_on(async {
        tokio::spawn(async { worker_thread_facts() })
            .await
            .map_err(|e| qorus_gcal::Error::new(ErrorKind::Internal, e.to_string()))
    })
    .expect("block_on");
    assert!(name.starts_with("qgcal-rt-"), "thread name {name:?}");
    assert!(blocked, "runtime threads must block every signal");
}

fn worker_thread_facts() -> (String, bool) {
    let name = std::thread::current().name().unwrap_or("").to_string();
    let mut mask = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: reading the current mask into a valid set.
    let blocked = unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), mask.as_mut_ptr());
        let mask = mask.assume_init();
        [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGUSR1,
            libc::SIGCHLD,
        ]
        .iter()
        .all(|&s| libc::sigismember(&mask, s) == 1)
    };
    (name, blocked)
}

#[test]
fn a_blocking_call_from_inside_the_runtime_is_refused_not_deadlocked() {
    let inner = runtime::block_on(async { Ok(runtime::block_on(async { Ok(1) })) }).expect("outer");
    let err = inner.expect_err("inner call must be refused");
    assert_eq!(err.kind(), ErrorKind::Reentrant);
    assert!(err.message().contains("inside an async runtime"), "{err}");
}

#[test]
fn a_blocking_call_from_another_tokio_runtime_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let result = rt.block_on(async { runtime::block_on(async { Ok(()) }) });
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Reentrant);
}

#[test]
fn many_host_threads_share_the_runtime() {
    let threads: Vec<_> = (0..32)
        .map(|i| {
            std::thread::spawn(move || {
                runtime::block_on(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    Ok(i * 2)
                })
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        assert_eq!(t.join().unwrap().unwrap(), i * 2);
    }
}

#[test]
fn a_panicking_task_answers_the_panic_kind() {
    let err = runtime::block_on::<_, ()>(async {
        if true {
            panic!("test-only panic inside a task");
        }
        Ok(())
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Panic);
    // The runtime survives the panic.
    assert_eq!(runtime::block_on(async { Ok(5) }).unwrap(), 5);
}

#[test]
fn a_forked_child_gets_the_forked_kind_and_does_not_hang() {
    runtime::block_on(async { Ok(()) }).expect("start the runtime in the parent");
    // SAFETY: the child only calls the library and then _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match runtime::block_on(async { Ok(()) }) {
            Err(e) if e.kind() == ErrorKind::Forked => 0,
            _ => 1,
        };
        let code = match runtime::shutdown() {
            Err(e) if e.kind() == ErrorKind::Forked && code == 0 => 0,
            _ => 2,
        };
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status), "child did not exit normally");
    assert_eq!(libc::WEXITSTATUS(status), 0, "child saw the wrong status");
    // Only the child is marked: the parent's runtime goes on.
    assert_eq!(runtime::block_on(async { Ok(7) }).unwrap(), 7);
}
