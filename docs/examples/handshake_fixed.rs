use leakcheck::channel::bounded;
use leakcheck::thread;

/// The client follows the server's protocol: after the welcome, it speaks first.
pub fn handshake() {
    let (to_server, server_inbox) = bounded::<String>(0);
    let (to_client, client_inbox) = bounded::<String>(0);
    let server = thread::Builder::new()
        .name("server".into())
        .spawn(move || {
            to_client.send("welcome".into()).unwrap();
            for command in server_inbox {
                to_client.send(format!("done: {command}")).unwrap();
            }
        })
        .unwrap();
    assert_eq!(client_inbox.recv().unwrap(), "welcome");
    to_server.send("status".into()).unwrap();
    assert_eq!(client_inbox.recv().unwrap(), "done: status");
    drop(to_server); // hang up: the server's loop ends
    server.join().unwrap();
}
