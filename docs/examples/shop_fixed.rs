use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

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

    /// Lock order, everywhere: `stock`, then `orders`.
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

    pub fn cancel_last(&self) {
        let mut stock = self.stock.lock().unwrap();
        let mut orders = self.orders.lock().unwrap();
        if orders.pop().is_some() {
            *stock += 1;
        }
    }
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
    assert_eq!(*shop.stock.lock().unwrap(), 9);
}
