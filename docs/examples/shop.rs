use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// A shop: the stock of one item, and the orders placed for it.
pub struct Shop {
    stock: Mutex<u32>,
    orders: Mutex<Vec<String>>,
}

impl Shop {
    pub fn new(stock: u32) -> Arc<Shop> {
        Arc::new(Shop {
            stock: Mutex::new(stock),
            orders: Mutex::new(Vec::new()),
        })
    }

    /// Takes one from the stock, then records the order.
    pub fn order(&self, customer: &str) -> bool {
        let mut stock = self.stock.lock().unwrap();
        if *stock == 0 {
            return false;
        }
        let mut orders = self.orders.lock().unwrap();
        *stock -= 1;
        orders.push(customer.to_string());
        true
    }

    /// Removes the last order, then puts its item back: the locks in the other order.
    pub fn cancel_last(&self) {
        let mut orders = self.orders.lock().unwrap();
        if orders.pop().is_some() {
            *self.stock.lock().unwrap() += 1;
        }
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn orders_and_cancellations() {
    let shop = Shop::new(10);
    shop.order("alice");
    let shared = Arc::clone(&shop);
    let customer = thread::Builder::new()
        .name("customer".into())
        .spawn(move || shared.order("bob"))
        .unwrap();
    shop.cancel_last();
    assert!(customer.join().unwrap());
}
