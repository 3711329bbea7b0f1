//! Fake provider servers that enforce each provider's documented contract (see the facts in
//! each module). Each runs on its own thread and runtime on 127.0.0.1:0, so sync tests, async
//! tests, CLI runs and the app's tests can all talk to it; dropping it stops the server.

pub mod cloudflared;
pub mod green_api;
pub mod kontur;
pub mod moysklad;
pub mod ngrok;
pub mod reestr;

use std::net::SocketAddr;

/// A running fake: its address, and a handle that stops it when dropped.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves `router` on 127.0.0.1:0 (or on `addr` when given) from a thread of its own.
pub fn serve(router: axum::Router, addr: Option<SocketAddr>) -> Running {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let addr = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
            let socket = tokio::net::TcpListener::bind(addr).await.unwrap();
            ready_tx.send(socket.local_addr().unwrap()).unwrap();
            axum::serve(socket, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
    });
    let addr = ready_rx.recv().expect("the fake server started");
    Running {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
