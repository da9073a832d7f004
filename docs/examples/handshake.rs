use leakcheck::channel::bounded;
use leakcheck::thread;
use leakcheck::Config;

pub fn config() -> Config {
    Config::new()
}

/// The server greets the client, then answers one command at a time until the client hangs up.
/// This client was written for a server that prompts with "ready" before each command.
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
    assert_eq!(client_inbox.recv().unwrap(), "ready"); // the server waits for us, and we for it
    to_server.send("status".into()).unwrap();
    drop(to_server);
    server.join().unwrap();
}
