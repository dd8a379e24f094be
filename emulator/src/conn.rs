//! Connections that a handler can drop without answering (`--fault-reset`, `--lost-ack`).
//!
//! axum always writes the handler's response, so the only way to send *nothing* is below
//! HTTP: every accepted socket is wrapped, and the handler gets (as connect info) a switch
//! that makes the wrapper fail all further I/O. hyper then abandons the connection before a
//! single byte of the response reaches the socket, and the socket is closed with `SO_LINGER`
//! 0, i.e. with a TCP RST, as a load balancer or a crashed front end would. The client sees
//! "connection reset" / "connection closed before message completed", never a status line.
//!
//! The unit is the connection: over HTTP/2 every stream on it is lost with it, as with a real
//! reset. ep and reqwest talk HTTP/1.1 to an `http://` URL, one request per connection at a time.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections can be dropped by the handler.
pub(crate) struct DroppableListener {
    inner: TcpListener,
}

impl DroppableListener {
    pub(crate) fn new(inner: TcpListener) -> DroppableListener {
        DroppableListener { inner }
    }
}

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own impl retries (and backs off on) accept errors.
        let (stream, addr) = <TcpListener as Listener>::accept(&mut self.inner).await;
        let stream = DroppableStream {
            inner: stream,
            killed: Arc::new(AtomicBool::new(false)),
            reset_armed: false,
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted socket that stops working once its [`ConnHandle`] is used.
pub(crate) struct DroppableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
    reset_armed: bool,
}

impl DroppableStream {
    /// `Err` once the connection was dropped. The first time, it also arranges for the close
    /// to be an RST, so the peer does not even get a clean end of stream.
    fn check(&mut self) -> io::Result<()> {
        if !self.killed.load(Ordering::Acquire) {
            return Ok(());
        }
        if !self.reset_armed {
            self.reset_armed = true;
            // Best effort: without it the peer sees a FIN instead, which is still no response.
            let _ = self.inner.set_zero_linger();
        }
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "the emulator dropped this connection on purpose",
        ))
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // No FIN for a dropped connection: dropping the socket (with linger 0) resets it.
        if self.check().is_err() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Given to each request of a connection; [`ConnHandle::drop_connection`] kills it.
#[derive(Debug, Clone)]
pub(crate) struct ConnHandle {
    killed: Arc<AtomicBool>,
}

impl ConnHandle {
    /// Makes every further read and write on this connection fail, so the response being
    /// prepared is never sent.
    pub(crate) fn drop_connection(&self) {
        self.killed.store(true, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        ConnHandle {
            killed: stream.io().killed.clone(),
        }
    }
}
